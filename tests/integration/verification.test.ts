// The rules that keep a byte from being lost or changed, inside workerd: tokens (expired, forged,
// another session's, refreshed), chunk size changing mid-session, whole-file verification at
// complete, and the per-file verdicts, each with a real file from the corpus.
import { env, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { signUploadToken } from "../../worker/auth/tokens";
import { ErrorBody, TokenResponse } from "../../worker/contract";
import {
  BASE,
  complete,
  createUser,
  fixture,
  initUpload,
  login,
  putChunk,
  sendAll,
  status,
  type LocalFile,
} from "./helpers";

const KiB = 1024;
const bytes = (n: number, seed = 1) =>
  Uint8Array.from({ length: n }, (_, i) => (i * 131 + seed * 7) & 0xff);
const errorOf = async (res: Response) => ErrorBody.parse(await res.json()).error;
const dicom = (path: string, name = path.split("/").pop() ?? path): LocalFile => ({
  name,
  bytes: fixture(`dicom/${path}`),
});

let user: Awaited<ReturnType<typeof createUser>>;
let token: string;
beforeAll(async () => {
  user = await createUser();
  token = await login(user);
});

describe("upload tokens", () => {
  it("an expired upload token is refused with a plain message and nothing is stored", async () => {
    const s = await initUpload(token, [{ name: "a", bytes: bytes(1000) }]);
    const principal = { sub: user.id, clinic: user.clinic, role: "uploader" as const };
    const old = await signUploadToken(
      env.JWT_SECRET,
      principal,
      s.sessionId,
      Date.now() - 2 * 3600_000,
    );
    const res = await putChunk({ ...s, uploadToken: old.token }, 0, 0, bytes(1000));
    expect(res.status).toBe(401);
    expect(await errorOf(res)).toMatchObject({ code: "token_expired" });
    expect(
      (await errorOf(await putChunk({ ...s, uploadToken: old.token }, 0, 0, bytes(1000)))).message,
    ).toMatch(/expired/);
    expect((await status(s)).files[0]?.received).toEqual([]);
  });

  it("a forged or malformed token is refused", async () => {
    const s = await initUpload(token, [{ name: "a", bytes: bytes(1000) }]);
    const [header, payload] = s.uploadToken.split(".");
    const forged = `${header}.${payload}.${"A".repeat(43)}`;
    for (const bad of [forged, "not-a-token", ""]) {
      const res = await putChunk({ ...s, uploadToken: bad }, 0, 0, bytes(1000));
      expect(res.status).toBe(401);
    }
  });

  it("an access token is not an upload token (audiences differ)", async () => {
    const s = await initUpload(token, [{ name: "a", bytes: bytes(1000) }]);
    const res = await putChunk({ ...s, uploadToken: token }, 0, 0, bytes(1000));
    expect(res.status).toBe(401);
  });

  it("the signed-in owner refreshes the upload token; another user cannot", async () => {
    const s = await initUpload(token, [{ name: "a", bytes: bytes(1000) }]);
    const refresh = (accessToken: string) =>
      SELF.fetch(`${BASE}/api/uploads/${s.sessionId}/token`, {
        method: "POST",
        headers: { authorization: `Bearer ${accessToken}` },
      });
    const res = await refresh(token);
    expect(res.status).toBe(200);
    const fresh = TokenResponse.parse(await res.json());
    expect(fresh.tokenExpiresAt).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect(fresh.tokenExpiresAt).toBeLessThanOrEqual(Date.now() + 3600_000 + 1000);
    expect(
      (await putChunk({ ...s, uploadToken: fresh.uploadToken }, 0, 0, bytes(1000))).status,
    ).toBe(201);

    const stranger = await login(await createUser());
    const denied = await refresh(stranger);
    expect(denied.status).toBe(404);
    const peek = await SELF.fetch(`${BASE}/api/uploads/${s.sessionId}`, {
      headers: { authorization: `Bearer ${stranger}` },
    });
    expect(peek.status).toBe(404);
  });
});

describe("chunks", () => {
  it("the chunk size may change during a session (the client adapts to bandwidth)", async () => {
    const data = bytes(1300 * KiB, 3);
    const s = await initUpload(token, [{ name: "a", bytes: data }]);
    const cuts = [0, 256 * KiB, 768 * KiB, 1024 * KiB, data.byteLength];
    for (let i = 0; i + 1 < cuts.length; i++) {
      const res = await putChunk(s, 0, cuts[i]!, data.slice(cuts[i], cuts[i + 1]));
      expect(res.status).toBe(201);
    }
    expect((await status(s)).files[0]?.missing).toEqual([]);
    expect((await complete(s)).status).toBe(200);
  });

  it("a chunk that overlaps one already stored is refused, not silently merged", async () => {
    const data = bytes(800 * KiB);
    const s = await initUpload(token, [{ name: "a", bytes: data }]);
    expect((await putChunk(s, 0, 0, data.slice(0, 512 * KiB))).status).toBe(201);
    const res = await putChunk(s, 0, 256 * KiB, data.slice(256 * KiB, 768 * KiB));
    expect(res.status).toBe(409);
    expect((await errorOf(res)).message.length).toBeGreaterThan(20);
  });
});

describe("verification at complete", () => {
  it("a file whose whole SHA-256 differs from the manifest is named and asked for again", async () => {
    const good = dicom("transfer_syntax/explicit_vr_le/CT_small.dcm", "ct.dcm");
    const claimed = dicom("transfer_syntax/explicit_vr_le/MR_small.dcm", "mr.dcm");
    // The manifest announces MR_small's checksum for the second file, but other bytes arrive
    // (each chunk is internally consistent, so only the whole-file check can catch it).
    const actual = new Uint8Array(claimed.bytes);
    actual[actual.byteLength - 1] = (actual[actual.byteLength - 1] ?? 0) ^ 0xff;
    const s = await initUpload(token, [good, claimed]);
    await sendAll(s, [good, { name: "mr.dcm", bytes: actual }], 256 * KiB);
    const res = await complete(s);
    expect(res.status).toBe(200);
    const after = await status(s);
    expect(after.state).toBe("receiving");
    expect(after.files[1]?.verdict).toMatchObject({ accepted: false, code: "checksum_mismatch" });
    expect(after.files[1]?.missing.length).toBeGreaterThan(0);
    expect(after.files[0]?.missing).toEqual([]);
    expect(after.message ?? "").toMatch(/mr\.dcm|file 2|again/i);

    // Sending the right bytes again completes the session.
    const resend = await putChunk(s, 1, 0, claimed.bytes);
    expect([200, 201]).toContain(resend.status);
    expect((await complete(s)).status).toBe(200);
    expect((await status(s)).files[1]?.verdict?.accepted).toBe(true);
  });

  it("a one-piece file with other bytes than the manifest's is caught without being read back", async () => {
    // A file sent as one piece is not hashed again at complete when its piece's checksum (which
    // R2 checked on write) is the manifest's; here it is not, so the file is hashed and refused.
    const claimed = dicom("transfer_syntax/explicit_vr_le/MR_small.dcm", "mr.dcm");
    const actual = new Uint8Array(claimed.bytes);
    actual[0] = (actual[0] ?? 0) ^ 0xff;
    const s = await initUpload(token, [claimed]);
    await sendAll(s, [{ name: "mr.dcm", bytes: actual }], actual.byteLength);
    expect((await complete(s)).status).toBe(200);
    const after = await status(s);
    expect(after.state).toBe("receiving");
    expect(after.files[0]?.verdict).toMatchObject({ accepted: false, code: "checksum_mismatch" });
    expect((await putChunk(s, 0, 0, claimed.bytes)).status).toBe(201);
    expect((await complete(s)).status).toBe(200);
    expect((await status(s)).files[0]?.verdict?.accepted).toBe(true);
  });

  const verdictCases: Array<[string, LocalFile, string]> = [
    [
      "not DICOM",
      { name: "notes.txt", bytes: new Uint8Array(new TextEncoder().encode("hello")) },
      "not_dicom",
    ],
    ["truncated", dicom("broken/MR_truncated.dcm"), "truncated"],
    ["a DICOMDIR", dicom("dicomdir/pydicom_dicomdirtests/DICOMDIR"), "dicomdir"],
    // A Color Palette object has no patient, study or series: nothing a PACS could file it under.
    ["an object with no study", dicom("edge_cases/hotiron.dcm"), "missing_uids"],
  ];
  for (const [what, file, code] of verdictCases) {
    it(`${what} is rejected with a plain reason while the good file goes on`, async () => {
      const good = dicom("transfer_syntax/explicit_vr_le/CT_small.dcm");
      const s = await initUpload(token, [good, file]);
      await sendAll(s, [good, file], 256 * KiB);
      expect((await complete(s)).status).toBe(200);
      const after = await status(s);
      expect(after.files[0]?.verdict?.accepted).toBe(true);
      expect(after.files[1]?.verdict).toMatchObject({ accepted: false, code });
      expect(after.files[1]?.verdict?.message).toMatch(/[a-z]+ [a-z]+ [a-z]+/);
      expect(after.state).not.toBe("receiving");
    });
  }

  const acceptedCases: Array<[string, string]> = [
    ["a data set without the 128-byte preamble", "no_preamble/ExplVR_LitEndNoMeta.dcm"],
    ["a deflated transfer syntax", "transfer_syntax/deflated/image_dfl.dcm"],
    ["big endian", "transfer_syntax/explicit_vr_be/MR_small_bigendian.dcm"],
    ["RLE", "transfer_syntax/rle/SC_rgb_rle.dcm"],
    ["a multi-frame RT dose", "multiframe/rtdose.dcm"],
    ["a structured report", "non_image/sr/reportsi.dcm"],
  ];
  for (const [what, path] of acceptedCases) {
    it(`${what} is accepted, not rejected`, async () => {
      const file = dicom(path);
      const s = await initUpload(token, [file]);
      await sendAll(s, [file], 256 * KiB);
      expect((await complete(s)).status).toBe(200);
      expect((await status(s)).files[0]?.verdict).toMatchObject({ accepted: true });
    });
  }

  it("the same SOP Instance UID twice: same bytes are sent once, different bytes are a conflict", async () => {
    // MR_small and MR_small_implicit are one instance in two transfer syntaxes (corpus MANIFEST).
    const mr = dicom("transfer_syntax/explicit_vr_le/MR_small.dcm", "mr.dcm");
    const again = { name: "mr-copy.dcm", bytes: mr.bytes };
    const implicit = dicom("transfer_syntax/implicit_vr_le/MR_small_implicit.dcm");
    const s = await initUpload(token, [mr, again, implicit]);
    await sendAll(s, [mr, again, implicit], 256 * KiB);
    expect((await complete(s)).status).toBe(200);
    const after = await status(s);
    expect(after.files.map((f) => f.verdict?.code)).toEqual([
      "accepted",
      "duplicate_file",
      "duplicate_instance_conflict",
    ]);
    expect(after.counts.accepted).toBe(1);
  });

  it("one bad file among many good ones blocks nothing", async () => {
    const paths = [
      "transfer_syntax/explicit_vr_le/CT_small.dcm",
      "transfer_syntax/explicit_vr_le/MR_small.dcm",
      "transfer_syntax/explicit_vr_be/SC_rgb_small_odd_big_endian.dcm",
      "transfer_syntax/deflated/image_dfl.dcm",
      "transfer_syntax/rle/SC_rgb_rle.dcm",
      "no_preamble/rtstruct.dcm",
      "charset/chrFren.dcm",
      "charset/chrRuss.dcm",
      "charset/chrH31.dcm",
      "charset/chrX1.dcm",
      "multiframe/rtdose.dcm",
      "non_image/sr/reportsi.dcm",
      "study/dcmqi_ct_3slice_seg/01.dcm",
    ];
    const files = [...paths.map((p) => dicom(p)), dicom("broken/rtplan_truncated.dcm")];
    const s = await initUpload(token, files);
    await sendAll(s, files, 256 * KiB);
    expect((await complete(s)).status).toBe(200);
    const after = await status(s);
    const verdicts = after.files.map((f) => f.verdict);
    expect(verdicts.slice(0, -1).map((v) => v?.code)).toEqual(paths.map(() => "accepted"));
    expect(verdicts.at(-1)).toMatchObject({ accepted: false, code: "truncated" });
    expect(after.counts.accepted).toBe(paths.length);
  });
});
