// The gauntlet's protocol and forward cases inside workerd (cases in tests/gauntlet): each hostile
// request must be refused with a plain message, each hostile file uploaded whole must end with a
// plain verdict or PACS answer, and a good upload of the same person, attacked by a stranger and
// sent alongside, must be delivered to the real Orthanc byte for byte. Prints the table at the end.
import { env, SELF } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { ErrorBody } from "../../worker/contract";
import { FORWARD_CASES, PROTOCOL_CASES, type ProtocolApi } from "../gauntlet/cases";
import type { UploadRef } from "../gauntlet/case-types";
import { craftDicom, newStudyIds } from "../gauntlet/dicom-craft";
import type { Fixtures } from "../gauntlet/inputs";
import { formatTable, plainLanguageProblems, type TableRow } from "../gauntlet/plain";
import {
  BASE,
  complete,
  createUser,
  fixture,
  initUpload,
  putChunk,
  sendAll,
  signIn,
  status,
  waitForState,
  type LocalFile,
} from "./helpers";
import { storedInstance } from "./orthanc";

const CHUNK = 256 * 1024;
const Claims = z.object({
  sub: z.string(),
  clinic: z.string(),
  role: z.enum(["uploader", "admin"]),
  sid: z.string(),
});
const FINAL = ["delivered", "partially_delivered", "failed"] as const;
const rows: TableRow[] = [];
const fixtures: Fixtures = (path) => fixture(path);

function patterned(size: number, seed: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 131 + seed) & 0xff;
  return out;
}

function claimsOf(token: string): ProtocolApi["claims"] {
  const part = token.split(".")[1] ?? "";
  const json = atob(part.replace(/-/g, "+").replace(/_/g, "/"));
  return Claims.parse(JSON.parse(json));
}

/** The good study running alongside: three images of one study, of the uploader. */
const victimStudy = newStudyIds("victim");
const victimFiles: Array<LocalFile & { sopUid: string }> = [1, 2, 3].map((n) => {
  const { bytes, sopUid } = craftDicom(victimStudy, n);
  return { name: `victim-${n}.dcm`, bytes, sopUid };
});

let api: ProtocolApi;
let victimBefore: Awaited<ReturnType<typeof status>>;

beforeAll(async () => {
  const owner = await createUser();
  const ownerSignIn = await signIn(owner);
  const stranger = await signIn(await createUser());
  const victim = await initUpload(ownerSignIn.accessToken, victimFiles);
  // The first image arrives before any case runs; the rest arrive between them.
  await sendAll(victim, victimFiles.slice(0, 1), CHUNK);
  const strangerSession = await initUpload(stranger.accessToken, [
    { name: "own.dcm", bytes: patterned(10, 3) },
  ]);
  let seed = 0;
  api = {
    fetch: (path, init) => SELF.fetch(`${BASE}${path}`, init),
    accessToken: ownerSignIn.accessToken,
    claims: claimsOf(ownerSignIn.accessToken),
    secret: env.JWT_SECRET ?? "",
    strangerAccessToken: stranger.accessToken,
    freshAccessToken: async () => (await signIn(owner)).accessToken,
    async newSession(sizes) {
      const bytes = sizes.map((size) => patterned(size, ++seed));
      const s = await initUpload(
        ownerSignIn.accessToken,
        bytes.map((b, i) => ({ name: `f${i}`, bytes: b })),
      );
      return { ...s, bytes };
    },
    put: (session, file, offset, bytes, sha) => putChunk(session, file, offset, bytes, sha),
    complete: (session: UploadRef) => complete(session),
    victim,
    strangerSession,
  };
  victimBefore = await status(victim);
});

afterAll(() => {
  console.log(`\n${formatTable("Gauntlet, protocol and forward (workerd + Orthanc)", rows)}\n`);
});

function expectPlain(message: string, needsAction: boolean, what: string) {
  expect(plainLanguageProblems(message, needsAction), `${what}: "${message}"`).toEqual([]);
}

describe("gauntlet: the plain-language check", () => {
  it("flags what a clinician must never read, and passes the product's own sentences", () => {
    const flagged: Array<[string, string]> = [
      ["TypeError: Cannot read properties of undefined (reading 'file')", "names a raw exception"],
      ["Failed.\n    at verify (worker/auth/tokens.ts:88:11)", "holds a stack trace"],
      [
        "The request was not understood (files: expected array, received undefined).",
        "leaks a programming value",
      ],
      ["This upload does not exist.", "does not say what to do"],
      ['{"error":"internal"}', "does not start as a sentence"],
    ];
    for (const [message, problem] of flagged) {
      expect(plainLanguageProblems(message, true), message).toContain(problem);
    }
    expect(
      plainLanguageProblems("Your sign-in has expired. Sign in again to continue.", true),
    ).toEqual([]);
  });
});

describe("gauntlet: protocol", () => {
  it.each(PROTOCOL_CASES.map((c) => [c.id, c] as const))("%s", async (_id, c) => {
    const res = await c.send(api);
    const body: unknown = await res.json();
    const error = ErrorBody.parse(body).error;
    rows.push({
      id: c.id,
      layer: c.layer,
      outcome: `${res.status} ${error.code}`,
      message: error.message,
    });
    expect({ status: res.status, code: error.code }).toEqual({ status: c.status, code: c.code });
    expect(error.message).toMatch(c.message);
    expectPlain(error.message, true, c.id);
  });

  it("no attack changed the victim's upload", async () => {
    const now = await status(api.victim);
    expect(now.state).toBe("receiving");
    expect(now.files.map((f) => f.received)).toEqual(victimBefore.files.map((f) => f.received));
    // The second image arrives now, between the protocol and the forward cases.
    await sendAll(api.victim, [victimFiles[0]!, victimFiles[1]!], CHUNK);
  });
});

/** Upload sessions per person per minute are limited (security/rate-limits.ts): a new uploader
 * for every 20 forward cases keeps the cases clear of it. */
const forwardTokens: string[] = [];
async function forwardToken(index: number): Promise<string> {
  const slot = Math.floor(index / 20);
  forwardTokens[slot] ??= (await signIn(await createUser())).accessToken;
  return forwardTokens[slot];
}

describe("gauntlet: forward", () => {
  it("the victim's last image arrives and it is completed, to travel with the cases", async () => {
    await sendAll(api.victim, victimFiles, CHUNK);
    expect((await complete(api.victim)).status).toBe(200);
  });

  it.each(FORWARD_CASES.map((c, i) => [c.id, c, i] as const))("%s", async (_id, c, i) => {
    const token = await forwardToken(i);
    const file = c.file(fixtures);
    const good = craftDicom(newStudyIds("beside"), 1);
    const files = c.besideGood ? [file, { name: "good.dcm", bytes: good.bytes }] : [file];
    const s = await initUpload(token, files);
    await sendAll(s, files, CHUNK);
    expect((await complete(s)).status).toBe(200);
    const done = await waitForState(s, [...FINAL], 60_000);
    const result = done.files[0]!;
    const verdict = result.verdict!;
    const accepted = verdict.accepted;
    const message = accepted ? (result.outcome?.message ?? "") : verdict.message;
    rows.push({
      id: c.id,
      layer: c.layer,
      outcome: accepted
        ? `accepted, ${result.outcome?.status ?? "no outcome"}`
        : `refused ${verdict.code}`,
      message,
    });
    expect(verdict.code).toBe(c.verdict);
    if (accepted) expect(result.outcome?.status).toBe(c.outcome);
    expect(message).toMatch(c.message);
    expectPlain(message, !(accepted && c.outcome === "stored"), c.id);
    // The session's sentence points at the files' own reasons ("each file says why").
    expectPlain(done.message, false, `${c.id} (session)`);
    if (c.besideGood) {
      expect(done.files[1]?.outcome?.status, "the good image beside it").toBe("stored");
      expect(await storedInstance(good.sopUid)).toEqual(good.bytes);
    }
  });

  it("the victim's study is delivered whole, byte for byte", async () => {
    const done = await waitForState(api.victim, [...FINAL], 60_000);
    rows.push({ id: "victim study", layer: "forward", outcome: done.state, message: done.message });
    expect(done.state).toBe("delivered");
    expect(done.counts).toMatchObject({ files: 3, accepted: 3, stored: 3, failed: 0 });
    for (const file of victimFiles) {
      expect(await storedInstance(file.sopUid)).toEqual(file.bytes);
    }
  });
});
