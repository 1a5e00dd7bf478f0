// Forwarding when the PACS misbehaves, inside workerd against the real Orthanc, with FakePacs
// (tests/support/fake-pacs.ts, a named fake) in front of it for the faults Orthanc cannot produce.
// Every fault ends delivered, or with each failed instance explained; nothing is sent twice into
// a study. Each test uses its own clinic, and so its own destination.
import { env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import type { DestinationConfig } from "../../worker/contract";
import { ErrorBody, SessionStatus } from "../../worker/contract";
import worker from "../../worker/index";
import {
  BASE,
  complete,
  createUser,
  fixture,
  initUpload,
  login,
  sendAll,
  status,
  waitForState,
  type LocalFile,
} from "./helpers";
import { deleteFromOrthanc, storedInstance } from "./orthanc";

const KiB = 1024;
const FILES = {
  fren: "charset/chrFren.dcm",
  russ: "charset/chrRuss.dcm",
  rle: "transfer_syntax/rle/SC_rgb_rle.dcm",
  dose: "multiframe/rtdose.dcm",
  dfl: "transfer_syntax/deflated/image_dfl.dcm",
};
const file = (path: string): LocalFile => ({
  name: path.split("/").pop() ?? path,
  bytes: fixture(`dicom/${path}`),
});
const errorOf = async (res: Response) => ErrorBody.parse(await res.json()).error;

/** A clinic with an admin and an uploader; optionally its own destination. */
async function clinic(config?: Partial<DestinationConfig> & Pick<DestinationConfig, "url">) {
  const id = `clinic-${crypto.randomUUID().slice(0, 8)}`;
  const adminToken = await login(await createUser({ clinic: id, role: "admin" }));
  const uploaderToken = await login(await createUser({ clinic: id }));
  if (config) {
    const res = await setDestination(adminToken, {
      name: "Test PACS",
      adapter: "stow-rs",
      auth: { kind: "basic", username: env.PACS_USERNAME ?? "", passwordSecret: "PACS_PASSWORD" },
      ...config,
    });
    expect(res.status, await res.clone().text()).toBe(200);
  }
  return { id, adminToken, uploaderToken };
}

function setDestination(adminToken: string, config: unknown) {
  return SELF.fetch(`${BASE}/api/admin/destination`, {
    method: "PUT",
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    body: JSON.stringify(config),
  });
}

async function upload(token: string, paths: string[]) {
  const files = paths.map(file);
  const s = await initUpload(token, files);
  await sendAll(s, files, 256 * KiB);
  expect((await complete(s)).status).toBe(200);
  return s;
}

/** Forces the session to its last attempt and runs the consumer on one message by hand. */
async function lastAttempt(sessionId: string) {
  const stub = env.UPLOAD_SESSION.get(env.UPLOAD_SESSION.idFromName(sessionId));
  await runInDurableObject(stub, (_instance, state) => {
    const row = state.storage.sql.exec("SELECT value FROM meta WHERE key = 'session'").one();
    const meta = JSON.parse(row.value as string) as { phase: { kind: string; attempts?: number } };
    meta.phase = { kind: "queued", attempts: 9 };
    state.storage.sql.exec("UPDATE meta SET value = ? WHERE key = 'session'", JSON.stringify(meta));
  });
  const batch = {
    queue: "relaypacs-forward",
    messages: [
      {
        id: "m1",
        timestamp: new Date(),
        attempts: 10,
        body: { type: "forward", sessionId },
        ack: () => undefined,
        retry: () => undefined,
      },
    ],
    ackAll: () => undefined,
    retryAll: () => undefined,
  } as unknown as MessageBatch<unknown>;
  await worker.queue(batch, env);
}

describe("PACS faults", () => {
  it("PACS down (connection refused): retried, then each instance explained", async () => {
    const c = await clinic({ url: "http://127.0.0.1:1/dicom-web" });
    const s = await upload(c.uploaderToken, [FILES.fren]);
    // The first attempt fails and is scheduled again, nothing is lost.
    const retrying = await waitForState(s, ["queued"], 20_000);
    expect(retrying.files[0]?.outcome?.status ?? "pending").not.toBe("stored");
    await lastAttempt(s.sessionId);
    const done = await status(s);
    expect(done.state).toBe("failed");
    expect(done.files[0]?.outcome).toMatchObject({ status: "failed", code: "pacs_unreachable" });
    expect(done.files[0]?.outcome?.message).toMatch(/several attempts.*administrator/);
  });

  it("5xx then recovery: delivered once the PACS is back, confirmed, stored once", async () => {
    const key = `flaky-${crypto.randomUUID().slice(0, 8)}`;
    await fetch(`${env.FAKE_PACS_URL}/_script/${key}`, {
      method: "PUT",
      body: JSON.stringify([{ status: 503 }]),
    });
    const c = await clinic({ url: `${env.FAKE_PACS_URL}/script-${key}/dicom-web` });
    const s = await upload(c.uploaderToken, [FILES.russ]);
    const done = await waitForState(s, ["delivered", "failed", "partially_delivered"], 45_000);
    expect(done.state).toBe("delivered");
    expect(done.files[0]?.outcome).toMatchObject({ status: "stored", confirmed: true });
    const count = await (
      await fetch(`${env.FAKE_PACS_URL}/_count/${key}`)
    ).json<{
      count: number;
    }>();
    // One refused STOW, one accepted STOW, one QIDO confirmation.
    expect(count.count).toBe(3);
    expect(await storedInstance(done.files[0]!.outcome!.sopInstanceUid!)).toEqual(
      fixture(`dicom/${FILES.russ}`),
    );
  });

  it("413 from a size-limited proxy: the batch is split until each part fits", async () => {
    const [a, b] = [file(FILES.dose), file(FILES.dfl)];
    // Room for the larger one plus its multipart framing, not for both.
    const limit = Math.max(a.bytes.byteLength, b.bytes.byteLength) + 1 * KiB;
    expect(a.bytes.byteLength + b.bytes.byteLength).toBeGreaterThan(limit);
    const c = await clinic({ url: `${env.FAKE_PACS_URL}/limit-${limit}/dicom-web` });
    const s = await upload(c.uploaderToken, [FILES.dose, FILES.dfl]);
    const done = await waitForState(s, ["delivered", "failed", "partially_delivered"], 30_000);
    expect(done.state).toBe("delivered");
    expect(done.files.map((f) => f.outcome?.status)).toEqual(["stored", "stored"]);
  });

  it("an instance larger than the proxy allows, alone, fails with a plain reason", async () => {
    const c = await clinic({ url: `${env.FAKE_PACS_URL}/limit-1000/dicom-web` });
    const s = await upload(c.uploaderToken, [FILES.fren]);
    const done = await waitForState(s, ["delivered", "failed", "partially_delivered"], 30_000);
    expect(done.state).toBe("failed");
    expect(done.files[0]?.outcome).toMatchObject({ status: "failed", code: "too_large" });
    expect(done.files[0]?.outcome?.message).toMatch(/larger than the PACS/);
  });

  it("slow PACS: a timeout is a transient failure and is retried", async () => {
    const c = await clinic({ url: `${env.FAKE_PACS_URL}/slow-8000/dicom-web`, timeoutSeconds: 5 });
    const s = await upload(c.uploaderToken, [FILES.dose]);
    const after = await waitForState(s, ["queued"], 30_000);
    expect(after.files[0]?.outcome?.status ?? "pending").toBe("pending");
    // A retry is scheduled (the session is back in the queue), not given up.
    await new Promise((r) => setTimeout(r, 7000));
    expect(["queued", "forwarding"]).toContain((await status(s)).state);
  });

  it("202 with a Failed SOP Sequence: the refused instance is explained, the other stored", async () => {
    const [a, b] = [FILES.fren, FILES.russ];
    const done = await scripted([a, b], (uids) => [
      {
        status: 202,
        body: {
          "00081199": { vr: "SQ", Value: [referenced(uids[0]!)] },
          "00081198": { vr: "SQ", Value: [failedItem(uids[1]!, 0x0122)] },
        },
      },
    ]);
    expect(done.state).toBe("partially_delivered");
    expect(done.files[0]?.outcome).toMatchObject({ status: "stored" });
    expect(done.files[1]?.outcome).toMatchObject({ status: "failed", code: "0122" });
    expect(done.files[1]?.outcome?.message).toMatch(/does not accept this kind of image/);
  });

  it("409 with a Failed SOP Sequence for every instance: each failure explained", async () => {
    const done = await scripted([FILES.fren, FILES.dose], (uids) => [
      {
        status: 409,
        body: { "00081198": { vr: "SQ", Value: uids.map((u) => failedItem(u, 0xa700)) } },
      },
    ]);
    expect(done.state).toBe("failed");
    for (const f of done.files) {
      expect(f.outcome).toMatchObject({ status: "failed", code: "A700" });
      expect(f.outcome?.message).toMatch(/out of storage space/);
    }
  });

  it("200 that names no instance while the PACS lacks it: not confirmed, so not delivered", async () => {
    const key = `liar-${crypto.randomUUID().slice(0, 8)}`;
    await fetch(`${env.FAKE_PACS_URL}/_script/${key}`, {
      method: "PUT",
      body: JSON.stringify([{ status: 200, body: {} }]),
    });
    const c = await clinic({ url: `${env.FAKE_PACS_URL}/script-${key}/dicom-web` });
    // The PACS must really lack it: other test files may have stored this instance before.
    await deleteFromOrthanc(manifestUid("study/dcmqi_ct_3slice_seg/03.dcm"));
    const s = await upload(c.uploaderToken, ["study/dcmqi_ct_3slice_seg/03.dcm"]);
    const until = Date.now() + 20_000;
    let seen: SessionStatus | undefined;
    while (Date.now() < until) {
      const now = await status(s);
      if (now.files[0]?.outcome?.code === "not_confirmed") {
        seen = now;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen?.files[0]?.outcome).toMatchObject({ status: "pending", code: "not_confirmed" });
    expect(seen?.state).not.toBe("delivered");
    // The retry sends it again (the script is used up: it reaches Orthanc) and confirms it.
    const done = await waitForState(s, ["delivered", "failed", "partially_delivered"], 45_000);
    expect(done.state).toBe("delivered");
    expect(done.files[0]?.outcome).toMatchObject({ status: "stored", confirmed: true });
  });
});

/** SOP Instance UIDs as the fixtures' MANIFEST lists them. */
function manifestUid(path: string): string {
  const text = new TextDecoder().decode(fixture("dicom/MANIFEST.tsv"));
  const [header = "", ...rows] = text.trimEnd().split("\n");
  const cols = header.split("\t");
  const row = rows.map((r) => r.split("\t")).find((r) => r[0] === `files/${path}`);
  const uid = row?.[cols.indexOf("sop_instance_uid")];
  if (!uid) throw new Error(`no MANIFEST row for ${path}`);
  return uid;
}

const referenced = (uid: string) => ({
  "00081150": { vr: "UI", Value: ["1.2.840.10008.5.1.4.1.1.7"] },
  "00081155": { vr: "UI", Value: [uid] },
});
const failedItem = (uid: string, reason: number) => ({
  "00081150": { vr: "UI", Value: ["1.2.840.10008.5.1.4.1.1.7"] },
  "00081155": { vr: "UI", Value: [uid] },
  "00081197": { vr: "US", Value: [reason] },
});

/** Uploads `paths` to a FakePacs destination scripted with `responses` (no receipt check). */
async function scripted(
  paths: string[],
  responses: (uids: string[]) => Array<{ status: number; body?: unknown }>,
) {
  const key = `script-${crypto.randomUUID().slice(0, 8)}`;
  await fetch(`${env.FAKE_PACS_URL}/_script/${key}`, {
    method: "PUT",
    body: JSON.stringify(responses(paths.map(manifestUid))),
  });
  const c = await clinic({
    url: `${env.FAKE_PACS_URL}/script-${key}/dicom-web`,
    confirmReceipt: false,
  });
  const s = await upload(c.uploaderToken, paths);
  return waitForState(s, ["delivered", "failed", "partially_delivered"], 30_000);
}

describe("destinations and re-drive", () => {
  it("only an admin sets the destination, and a wrong one is refused in plain words", async () => {
    const c = await clinic();
    const asUploader = await setDestination(c.uploaderToken, {
      name: "x",
      adapter: "stow-rs",
      url: "http://a",
    });
    expect(asUploader.status).toBe(403);
    const bad = await setDestination(c.adminToken, {
      name: "x",
      adapter: "c-store",
      url: "not a host",
    });
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).message).toMatch(/url/i);
  });

  it("the destination's SOP class allow-list is applied at complete", async () => {
    const c = await clinic({
      url: `${env.ORTHANC_URL}/dicom-web`,
      sopClassAllowList: ["1.2.840.10008.5.1.4.1.1.2"], // CT only
    });
    const s = await upload(c.uploaderToken, [FILES.rle]);
    const after = await status(s);
    expect(after.files[0]?.verdict).toMatchObject({
      accepted: false,
      code: "sop_class_not_allowed",
    });
  });

  it("Orthanc REST adapter: POST /instances, confirmed by lookup", async () => {
    const c = await clinic({ url: env.ORTHANC_URL, adapter: "orthanc-rest" });
    const s = await upload(c.uploaderToken, [FILES.dose]);
    const done = await waitForState(s, ["delivered", "failed", "partially_delivered"], 30_000);
    expect(done.state).toBe("delivered");
    expect(done.files[0]?.outcome).toMatchObject({ status: "stored", confirmed: true });
  });

  it("C-STORE destination: the queue delivers a session to a real storescp over TCP", async () => {
    const peer = inject("cstorePeer");
    if (!peer.ok) throw new Error(`storescp is not available: ${peer.error}`);
    const c = await clinic({
      url: `${peer.host}:${peer.port}`,
      adapter: "c-store",
      auth: { kind: "none" },
      calledAeTitle: peer.aeTitle,
      // storescp answers no C-FIND, so receipt cannot be confirmed (see cstore.test.ts).
      confirmReceipt: false,
    });
    const s = await upload(c.uploaderToken, [FILES.fren, FILES.dfl]);
    const done = await waitForState(s, ["delivered", "failed", "partially_delivered"], 30_000);
    expect(done.state).toBe("delivered");
    expect(done.files.map((f) => f.outcome?.status)).toEqual(["stored", "stored"]);
  });

  it("a failed session is re-driven by its clinic's admin after the PACS is fixed", async () => {
    const c = await clinic({ url: "http://127.0.0.1:1/dicom-web" });
    const s = await upload(c.uploaderToken, [FILES.rle]);
    await waitForState(s, ["queued"], 20_000);
    await lastAttempt(s.sessionId);
    expect((await status(s)).state).toBe("failed");

    const redrive = (token: string) =>
      SELF.fetch(`${BASE}/api/admin/uploads/${s.sessionId}/redrive`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
      });
    const otherAdmin = (await clinic()).adminToken;
    expect((await redrive(otherAdmin)).status).toBe(404);
    expect((await redrive(c.uploaderToken)).status).toBe(403);

    const fixed = await setDestination(c.adminToken, {
      name: "Fixed PACS",
      adapter: "stow-rs",
      url: `${env.ORTHANC_URL}/dicom-web`,
      auth: { kind: "basic", username: env.PACS_USERNAME ?? "", passwordSecret: "PACS_PASSWORD" },
    });
    expect(fixed.status).toBe(200);
    const res = await redrive(c.adminToken);
    expect(res.status).toBe(200);
    expect(SessionStatus.parse(await res.json()).state).toBe("queued");
    const done = await waitForState(s, ["delivered", "failed", "partially_delivered"], 30_000);
    expect(done.state).toBe("delivered");
  });
});
