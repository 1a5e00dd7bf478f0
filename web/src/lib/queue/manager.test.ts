import { describe, expect, it } from "vitest";
import { SESSION_ID } from "../uploader/fake-server";
import { cancelJob, retryFailedFiles } from "./actions";
import { IMPRESSION, PATIENT, bytesOf, fileOf, kit } from "./test-kit";

const putKeys = (k: ReturnType<typeof kit>) =>
  k.server.chunkRequests().map((r) => r.path.split("/chunks/")[1]);
const putBytes = (k: ReturnType<typeof kit>) =>
  k.server.chunkRequests().reduce((n, r) => n + (r.body as Uint8Array).length, 0);

describe("the upload manager", () => {
  it("a study queued offline waits for the network, then goes, and only a receipt stays", async () => {
    const k = kit();
    const files = [fileOf("JANE_DOE_01.dcm", 40), fileOf("JANE_DOE_02.dcm", 7, 2)];
    k.server.offline = true;
    const job = await k.enqueue(files);
    expect(await k.manager.kick()).toBe("waiting");
    const waiting = await k.store.get(job.id);
    expect(waiting?.state).toBe("waiting");
    expect(waiting?.wait?.reason).toBe("network");
    expect(waiting?.files.every((f) => f.sha256 !== null)).toBe(true);

    k.server.offline = false;
    expect(await k.manager.kick()).toBe("idle");
    expect(k.server.received(0, 0)).toEqual(await bytesOf(files[0]!));
    expect(k.server.received(1, 0)).toEqual(await bytesOf(files[1]!));
    expect(await k.store.list()).toEqual([]);
    expect(k.store.blobCount).toBe(0);
    const [receipt] = await k.store.receipts();
    expect(receipt).toMatchObject({ ref: SESSION_ID, outcome: "delivered", files: 2, bytes: 47 });
    expect(receipt?.confirmed).toBe(2);
    const kept = k.store.dump();
    for (const phi of [PATIENT, IMPRESSION, "JANE_DOE"]) expect(kept).not.toContain(phi);
    expect(k.settled.at(-1)?.state).toBe("delivered");
  });

  it("announces the manifest with checksums and the clinical impression", async () => {
    const k = kit();
    await k.enqueue([fileOf("a.dcm", 20)]);
    await k.manager.kick();
    const init = k.server.requests.find((r) => r.path === "/api/uploads");
    expect(init?.headers.authorization).toBe("Bearer access-token");
    expect(init?.body).toMatchObject({
      files: [{ name: "a.dcm", size: 20, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }],
      clinicalImpression: IMPRESSION,
    });
  });

  it("after a failed chunk it re-reads the server's status and sends only what is missing", async () => {
    const k = kit();
    let puts = 0;
    k.server.failOnce((r) => r.method === "PUT" && ++puts === 3, 503);
    const file = fileOf("a.dcm", 200);
    await k.enqueue([file]);
    expect(await k.manager.kick()).toBe("idle");
    const failed = k.server.chunkRequests()[2]!.body as Uint8Array;
    expect(putBytes(k)).toBe(200 + failed.length);
    expect(k.server.received(0)).toEqual(await bytesOf(file));
    const [receipt] = await k.store.receipts();
    expect(receipt?.retries).toBe(1);
    expect(receipt?.bytesResent).toBe(failed.length);
  });

  it("a chunk that stops making progress is aborted by the watchdog and sent again", async () => {
    const k = kit({ tuning: { stallMs: 20 } });
    k.server.hangOnce((r) => r.method === "PUT" && r.path.endsWith("/chunks/0/8"));
    const file = fileOf("a.dcm", 30);
    await k.enqueue([file]);
    expect(await k.manager.kick()).toBe("idle");
    expect(putKeys(k).filter((p) => p === "0/8").length).toBeGreaterThanOrEqual(1);
    expect(k.server.received(0)).toEqual(await bytesOf(file));
    expect((await k.store.receipts())[0]?.retries).toBe(1);
  });

  it("chunks grow while the link is fast and shrink after a failure, within the bounds", async () => {
    const k = kit();
    let puts = 0;
    k.server.failOnce((r) => r.method === "PUT" && ++puts === 5, 503);
    await k.enqueue([fileOf("a.dcm", 400)]);
    await k.manager.kick();
    const sizes = k.server.chunkRequests().map((r) => (r.body as Uint8Array).length);
    expect(sizes.slice(0, 4)).toEqual([8, 16, 32, 64]);
    expect(sizes[5]).toBe(32);
    expect(Math.max(...sizes)).toBe(64);
  });

  it("an upload token the server calls expired is refreshed with the access token", async () => {
    const k = kit();
    let expired = false;
    k.onChange.hook = () => {
      if (!expired && k.server.chunkRequests().length === 1) {
        expired = true;
        k.server.expireUploadToken();
      }
    };
    const file = fileOf("a.dcm", 40);
    await k.enqueue([file]);
    expect(await k.manager.kick()).toBe("idle");
    const refresh = k.server.requests.filter((r) => r.path.endsWith("/token"));
    expect(refresh).toHaveLength(1);
    expect(refresh[0]?.headers.authorization).toBe("Bearer access-token");
    expect(k.server.chunkRequests().at(-1)?.headers.authorization).toBe("Bearer upload-token-2");
    expect(k.server.received(0)).toEqual(await bytesOf(file));
  });

  it("an upload token close to its end is refreshed before it is used", async () => {
    const k = kit();
    k.server.tokenExpiresAt = 60_000; // the fake clock starts at 0: one minute left
    await k.enqueue([fileOf("a.dcm", 10)]);
    await k.manager.kick();
    expect(k.server.requests.filter((r) => r.path.endsWith("/token")).length).toBeGreaterThan(0);
  });

  it("an expired session is replaced by a new one with the same manifest", async () => {
    const k = kit();
    k.onChange.hook = () => {
      if (k.server.sessionCount === 1 && k.server.chunkRequests().length === 2) {
        k.server.expireSession();
      }
    };
    const file = fileOf("a.dcm", 100);
    await k.enqueue([file]);
    expect(await k.manager.kick()).toBe("idle");
    expect(k.server.sessionCount).toBe(2);
    const inits = k.server.requests.filter((r) => r.path === "/api/uploads");
    expect(inits[1]?.body).toEqual(inits[0]?.body);
    expect(k.server.received(0, 1)).toEqual(await bytesOf(file));
  });

  it("without a sign-in a new job waits, and goes once someone signs in", async () => {
    const k = kit();
    k.token.value = null;
    const job = await k.enqueue([fileOf("a.dcm", 10)]);
    expect(await k.manager.kick()).toBe("waiting");
    expect((await k.store.get(job.id))?.wait?.reason).toBe("sign_in");
    expect(k.server.requests).toEqual([]);
    k.token.value = "access-token";
    expect(await k.manager.kick()).toBe("idle");
    expect((await k.store.receipts())[0]?.outcome).toBe("delivered");
  });

  it("two managers on one queue (two tabs) send each chunk once", async () => {
    const k = kit();
    await k.enqueue([fileOf("a.dcm", 100), fileOf("b.dcm", 50, 2)]);
    const results = await Promise.all([k.manager.kick(), k.twin().kick()]);
    expect(results.sort()).toEqual(["busy", "idle"]);
    const keys = putKeys(k);
    expect(new Set(keys).size).toBe(keys.length);
    expect(k.server.sessionCount).toBe(1);
  });

  it("a refusal needs attention, in the server's own words", async () => {
    const k = kit();
    k.server.failOnce((r) => r.path === "/api/uploads", 413, {
      error: { code: "limit_exceeded", message: "One upload can hold at most 5000 files." },
    });
    const job = await k.enqueue([fileOf("a.dcm", 10)]);
    expect(await k.manager.kick()).toBe("idle");
    expect((await k.store.get(job.id))?.attention).toEqual({
      code: "limit_exceeded",
      message: "One upload can hold at most 5000 files.",
      action: "retry",
    });
  });

  it("files the PACS refused are kept for 'retry failed files'; the rest are deleted", async () => {
    const k = kit();
    k.server.afterComplete = ["queued", "partially_delivered"];
    k.server.outcomeOf = (index) =>
      index === 1
        ? { status: "failed", message: "The PACS does not take this kind of image." }
        : { status: "stored", message: "Stored.", confirmed: true };
    const files = [fileOf("a.dcm", 10), fileOf("b.dcm", 12, 2), fileOf("c.dcm", 5, 3)];
    const job = await k.enqueue(files);
    expect(await k.manager.kick()).toBe("idle");
    const settled = await k.store.get(job.id);
    expect(settled?.state).toBe("attention");
    expect(settled?.attention?.action).toBe("retry_failed");
    expect(settled?.server).toMatchObject({ stored: 2, confirmed: 2, failed: 1 });
    expect(settled?.server?.failedFiles).toEqual([
      { index: 1, message: "The PACS does not take this kind of image.", retryable: true },
    ]);
    expect(k.store.blobCount).toBe(1);

    k.server.afterComplete = ["queued", "delivered"];
    k.server.outcomeOf = () => ({ status: "stored", message: "Stored.", confirmed: true });
    const retry = await retryFailedFiles(k.store, job.id, k.clock.now());
    expect(retry?.files.map((f) => f.name)).toEqual(["b.dcm"]);
    expect(await k.manager.kick()).toBe("idle");
    expect(k.server.received(0, 1)).toEqual(await bytesOf(files[1]!));
    expect((await k.store.receipts()).map((r) => r.outcome)).toEqual([
      "delivered",
      "partially_delivered",
    ]);
    expect(k.store.blobCount).toBe(0);
  });

  it("a job cancelled while it uploads stops, and its files are deleted", async () => {
    const k = kit();
    const job = await k.enqueue([fileOf("a.dcm", 200)]);
    k.onChange.hook = async () => {
      if (k.server.chunkRequests().length === 2) {
        await cancelJob(k.store, job.id, k.clock.now());
        k.manager.abortJob(job.id);
      }
    };
    expect(await k.manager.kick()).toBe("idle");
    expect(k.server.chunkRequests().length).toBeLessThanOrEqual(3);
    expect(k.server.requests.some((r) => r.path.endsWith("/complete"))).toBe(false);
    expect(k.store.blobCount).toBe(0);
    expect((await k.store.receipts())[0]?.outcome).toBe("cancelled");
  });

  it("when the server asks for bytes again after checking, only those bytes go again", async () => {
    const k = kit();
    k.server.damageAtComplete = { fileIndex: 0, range: [8, 24] };
    const file = fileOf("a.dcm", 40);
    await k.enqueue([file]);
    expect(await k.manager.kick()).toBe("idle");
    expect(putKeys(k)).toEqual(["0/0", "0/8", "0/24", "0/8"]);
    expect(k.server.received(0)).toEqual(await bytesOf(file));
  });

  it("queued files can be kept encrypted; the server still gets the plain bytes", async () => {
    const MiB = 1024 * 1024;
    const k = kit({
      tuning: { sizer: { targetMs: 4_000, initialBytes: MiB / 2, capBytes: 4 * MiB } },
    });
    k.server.bounds = { min: 4, max: 4 * MiB, preferred: MiB };
    const file = fileOf("a.dcm", 3_000_000);
    const job = await k.enqueue([file], { encrypt: true });
    const stored = await k.store.blob(job.id, 0);
    expect(stored?.size).toBeGreaterThan(file.size);
    expect(await bytesOf(stored!.slice(0, 64))).not.toEqual(await bytesOf(file.slice(0, 64)));
    expect(await k.manager.kick()).toBe("idle");
    // Compared as buffers: a deep equality over millions of elements takes seconds.
    const same = Buffer.from(k.server.received(0)).equals(Buffer.from(await bytesOf(file)));
    expect(same).toBe(true);
  });
});
