// The chunked upload protocol inside workerd: real R2, Durable Objects and D1.
import { env, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { ErrorBody, SessionStatus } from "../../worker/contract";
import {
  BASE,
  complete,
  createUser,
  initUpload,
  login,
  putChunk,
  r2Keys,
  sendAll,
  sha256,
  status,
} from "./helpers";

const KiB = 1024;
const bytes = (n: number, seed = 1) =>
  Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
const errorOf = async (res: Response) => ErrorBody.parse(await res.json()).error;

let token: string;
beforeAll(async () => {
  token = await login(await createUser());
});

describe("upload protocol", () => {
  it("every upload route refuses a request without a token", async () => {
    const res = await SELF.fetch(`${BASE}/api/uploads`, { method: "POST", body: "{}" });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).message).toMatch(/not signed in/);
  });

  it("init answers a session id, an upload token and the chunk size bounds", async () => {
    const s = await initUpload(token, [{ name: "a.dcm", bytes: bytes(1000) }], {
      preferredChunkSize: 1,
    });
    expect(s.sessionId).toMatch(/^[0-9a-f]{32}$/);
    expect(s.chunkSize).toEqual({ min: 256 * KiB, max: 32 * 1024 * KiB, preferred: 256 * KiB });
  });

  it("init with a malformed manifest is a 400 that says what is wrong", async () => {
    const res = await SELF.fetch(`${BASE}/api/uploads`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ files: [{ name: "a", size: -1, sha256: "zz" }] }),
    });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(/not understood/);
  });

  it("re-sending a chunk with the same checksum is a no-op", async () => {
    const data = bytes(300 * KiB);
    const s = await initUpload(token, [{ name: "a", bytes: data }]);
    const first = data.slice(0, 256 * KiB);
    expect((await putChunk(s, 0, 0, first)).status).toBe(201);
    const again = await putChunk(s, 0, 0, first);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ stored: false });
    expect(await r2Keys(s.sessionId)).toHaveLength(1);
  });

  it("the same offset with different content is a 409 with a plain explanation", async () => {
    const data = bytes(300 * KiB);
    const s = await initUpload(token, [{ name: "a", bytes: data }]);
    await putChunk(s, 0, 0, data.slice(0, 256 * KiB));
    const res = await putChunk(s, 0, 0, bytes(256 * KiB, 7));
    expect(res.status).toBe(409);
    expect((await errorOf(res)).message).toMatch(/different piece/);
    expect(await r2Keys(s.sessionId)).toHaveLength(1);
  });

  it("a chunk whose bytes do not match its checksum is refused and nothing is stored", async () => {
    const data = bytes(100);
    const s = await initUpload(token, [{ name: "a", bytes: data }]);
    const res = await putChunk(s, 0, 0, data, await sha256(bytes(100, 9)));
    expect(res.status).toBe(422);
    expect((await errorOf(res)).code).toBe("chunk_checksum_mismatch");
    expect(await r2Keys(s.sessionId)).toEqual([]);
  });

  it("index or size out of range is a clear 4xx and nothing is stored", async () => {
    const data = bytes(300 * KiB);
    const s = await initUpload(token, [{ name: "a", bytes: data }]);
    expect((await putChunk(s, 0, 290 * KiB, bytes(20 * KiB))).status).toBe(416);
    expect((await putChunk(s, 5, 0, bytes(10))).status).toBe(416);
    expect((await putChunk(s, 0, 0, bytes(10 * KiB))).status).toBe(400);
    expect(await r2Keys(s.sessionId)).toEqual([]);
  });

  it("another session's upload token is refused", async () => {
    const a = await initUpload(token, [{ name: "a", bytes: bytes(10) }]);
    const b = await initUpload(token, [{ name: "b", bytes: bytes(10) }]);
    const res = await putChunk(
      { sessionId: a.sessionId, uploadToken: b.uploadToken },
      0,
      0,
      bytes(10),
    );
    expect(res.status).toBe(401);
    expect(await r2Keys(a.sessionId)).toEqual([]);
  });

  it("status lists received and missing ranges, so a client resumes with only the missing ones", async () => {
    const data = bytes(700 * KiB);
    const s = await initUpload(token, [{ name: "a", bytes: data }]);
    await putChunk(s, 0, 256 * KiB, data.slice(256 * KiB, 512 * KiB));
    const st = await status(s);
    expect(st.files[0]?.received).toEqual([[256 * KiB, 512 * KiB]]);
    expect(st.files[0]?.missing).toEqual([
      [0, 256 * KiB],
      [512 * KiB, 700 * KiB],
    ]);
    // Resume from the status only, with a different chunk size for the tail.
    for (const [start, end] of st.files[0]?.missing ?? []) {
      expect((await putChunk(s, 0, start, data.slice(start, end))).status).toBe(201);
    }
    expect((await status(s)).files[0]?.missing).toEqual([]);
  });

  it("complete before every byte arrived is refused and names what is missing", async () => {
    const s = await initUpload(token, [{ name: "a", bytes: bytes(300 * KiB) }]);
    const res = await complete(s);
    expect(res.status).toBe(409);
    expect((await errorOf(res)).message).toMatch(/not arrived/);
  });

  it("parallel chunk PUTs into one session are all recorded", async () => {
    const data = bytes(256 * KiB * 8);
    const s = await initUpload(token, [{ name: "a", bytes: data }]);
    const puts = Array.from({ length: 8 }, (_, i) =>
      putChunk(s, 0, i * 256 * KiB, data.slice(i * 256 * KiB, (i + 1) * 256 * KiB)),
    );
    const results = await Promise.all(puts);
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(201));
    expect((await status(s)).files[0]?.missing).toEqual([]);
  });

  it("an idle session expires on its alarm and its R2 objects are deleted", async () => {
    const data = bytes(100);
    const s = await initUpload(token, [{ name: "a", bytes: data }]);
    await sendAll(s, [{ name: "a", bytes: data }], 256 * KiB);
    expect(await r2Keys(s.sessionId)).toHaveLength(1);
    const stub = env.UPLOAD_SESSION.get(env.UPLOAD_SESSION.idFromName(s.sessionId));
    // Age the session past its idle deadline, then fire the alarm.
    await runInDurableObject(stub, async (_instance, state) => {
      const row = state.storage.sql.exec("SELECT value FROM meta WHERE key = 'session'").one();
      const meta = JSON.parse(row.value as string) as { lastActivity: number };
      meta.lastActivity = Date.now() - 2 * 86_400_000;
      state.storage.sql.exec(
        "UPDATE meta SET value = ? WHERE key = 'session'",
        JSON.stringify(meta),
      );
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const st = SessionStatus.parse(await status(s));
    expect(st.state).toBe("expired");
    expect(st.message).toMatch(/not finished in time/);
    expect(await r2Keys(s.sessionId)).toEqual([]);
    const late = await putChunk(s, 0, 0, data);
    expect(late.status).toBe(410);
    expect((await errorOf(late)).message).toMatch(/expired/);
  });
});
