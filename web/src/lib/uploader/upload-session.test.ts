import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ApiError, createApi } from "./api";
import { FakeClock, FakeServer, SESSION_ID } from "./fake-server";
import { RETRY_DELAYS_MS } from "./retry-policy";
import { uploadStudy, type UploadProgress } from "./upload-session";

function fileOf(name: string, size: number, seed = 1): File {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed * 7) & 0xff;
  return new File([bytes], name);
}

const hex = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

async function run(server: FakeServer, files: File[], impression?: string) {
  const clock = new FakeClock();
  const progress: UploadProgress[] = [];
  const status = await uploadStudy(
    {
      files,
      accessToken: "access-token",
      ...(impression === undefined ? {} : { clinicalImpression: impression }),
    },
    { api: createApi(server.transport), clock, onProgress: (p) => progress.push(p) },
  );
  return { status, clock, progress };
}

describe("uploadStudy", () => {
  it("announces each file's name, size and whole-file SHA-256 and the clinical impression", async () => {
    const server = new FakeServer();
    const a = fileOf("a.dcm", 20);
    await run(server, [a, fileOf("b.dcm", 3, 2)], "  Query fracture, left wrist ");
    const init = server.requests[0];
    expect(init?.path).toBe("/api/uploads");
    expect(init?.headers.authorization).toBe("Bearer access-token");
    expect(init?.body).toEqual({
      files: [
        { name: "a.dcm", size: 20, sha256: hex(new Uint8Array(await a.arrayBuffer())) },
        { name: "b.dcm", size: 3, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
      ],
      clinicalImpression: "Query fracture, left wrist",
    });
  });

  it("a file larger than one chunk is sent as consecutive byte-offset chunks with their SHA-256", async () => {
    const server = new FakeServer();
    server.bounds = { min: 4, max: 16, preferred: 8 };
    const file = fileOf("big.dcm", 20);
    await run(server, [file]);
    const puts = server.chunkRequests();
    expect(puts.map((r) => r.path)).toEqual([
      `/api/uploads/${SESSION_ID}/chunks/0/0`,
      `/api/uploads/${SESSION_ID}/chunks/0/8`,
      `/api/uploads/${SESSION_ID}/chunks/0/16`,
    ]);
    for (const put of puts) {
      const bytes = put.body as Uint8Array;
      expect(put.headers["x-chunk-sha256"]).toBe(hex(bytes));
      expect(put.headers.authorization).toBe("Bearer upload-token");
      expect(put.headers["content-type"]).toBe("application/octet-stream");
    }
    expect(puts.map((p) => (p.body as Uint8Array).length)).toEqual([8, 8, 4]);
    expect(server.received(0)).toEqual(new Uint8Array(await file.arrayBuffer()));
  });

  it("a 0-byte file is sent as one empty chunk at offset 0", async () => {
    const server = new FakeServer();
    await run(server, [fileOf("empty.dcm", 0)]);
    const puts = server.chunkRequests();
    expect(puts).toHaveLength(1);
    expect(puts[0]?.path).toBe(`/api/uploads/${SESSION_ID}/chunks/0/0`);
    expect((puts[0]?.body as Uint8Array).length).toBe(0);
    expect(puts[0]?.headers["x-chunk-sha256"]).toBe(hex(new Uint8Array()));
  });

  it("files are sent one after another, each from offset 0 upwards", async () => {
    const server = new FakeServer();
    await run(server, [fileOf("a.dcm", 10), fileOf("b.dcm", 9, 2)]);
    expect(server.chunkRequests().map((r) => r.path.split("/chunks/")[1])).toEqual([
      "0/0",
      "0/8",
      "1/0",
      "1/8",
    ]);
  });

  it("the server's preferred chunk size is kept within its bounds", async () => {
    const server = new FakeServer();
    server.bounds = { min: 4, max: 6, preferred: 100 };
    await run(server, [fileOf("a.dcm", 13)]);
    expect(server.chunkRequests().map((r) => (r.body as Uint8Array).length)).toEqual([6, 6, 1]);
  });

  it("the status poll stops at a terminal state", async () => {
    const server = new FakeServer();
    server.afterComplete = [
      "verifying",
      "queued",
      "forwarding",
      "forwarding",
      "partially_delivered",
    ];
    const { status, clock } = await run(server, [fileOf("a.dcm", 5)]);
    expect(status.state).toBe("partially_delivered");
    const polls = server.requests.filter((r) => r.method === "GET");
    expect(polls).toHaveLength(4);
    expect(clock.sleeps).toEqual([1000, 1500, 2250, 3375]);
    expect(server.requests.at(-1)?.method).toBe("GET");
  });

  it("a status already terminal at complete is not polled", async () => {
    const server = new FakeServer();
    server.afterComplete = ["failed"];
    const { status } = await run(server, [fileOf("a.dcm", 5)]);
    expect(status.state).toBe("failed");
    expect(server.requests.filter((r) => r.method === "GET")).toHaveLength(0);
  });

  it("progress goes from hashing through uploading, checking and sending to finished", async () => {
    const server = new FakeServer();
    const { progress } = await run(server, [fileOf("a.dcm", 10), fileOf("b.dcm", 4, 2)]);
    const phases = progress.map((p) => p.phase).filter((p, i, all) => p !== all[i - 1]);
    expect(phases).toEqual(["hashing", "starting", "uploading", "checking", "sending", "finished"]);
    const uploading = progress.filter((p) => p.phase === "uploading");
    expect(uploading.map((p) => [p.bytesSent, p.filesDone])).toEqual([
      [0, 0],
      [8, 0],
      [10, 1],
      [14, 2],
    ]);
    expect(progress.at(-1)?.status?.counts.stored).toBe(2);
  });

  it("a chunk refused with a server error is sent again after the policy's delay", async () => {
    const server = new FakeServer();
    server.failOnce((r) => r.method === "PUT" && r.path.endsWith("/0/8"), 503);
    const { clock, status } = await run(server, [fileOf("a.dcm", 12)]);
    expect(server.chunkRequests().map((r) => r.path.split("/chunks/")[1])).toEqual([
      "0/0",
      "0/8",
      "0/8",
    ]);
    expect(clock.sleeps[0]).toBe(RETRY_DELAYS_MS[0]);
    expect(status.state).toBe("delivered");
  });

  it("a refusal from the server stops the upload with the server's own words", async () => {
    const server = new FakeServer();
    server.failOnce((r) => r.path === "/api/uploads", 403, {
      error: { code: "forbidden", message: "Your account may not send studies." },
    });
    const failure = run(server, [fileOf("a.dcm", 3)]);
    await expect(failure).rejects.toBeInstanceOf(ApiError);
    await expect(failure).rejects.toMatchObject({
      code: "forbidden",
      message: "Your account may not send studies.",
    });
    expect(server.chunkRequests()).toHaveLength(0);
  });

  it("when the server asks for bytes again after checking, only the missing bytes are re-sent", async () => {
    const server = new FakeServer();
    server.damageAtComplete = { fileIndex: 1, range: [8, 16] };
    const b = fileOf("b.dcm", 20, 2);
    const { status } = await run(server, [fileOf("a.dcm", 4), b]);
    const sent = server.chunkRequests().map((r) => r.path.split("/chunks/")[1]);
    expect(sent).toEqual(["0/0", "1/0", "1/8", "1/16", "1/8"]);
    expect(server.requests.filter((r) => r.path.endsWith("/complete"))).toHaveLength(2);
    expect(server.received(1)).toEqual(new Uint8Array(await b.arrayBuffer()));
    expect(status.state).toBe("delivered");
  });

  it("an aborted upload stops sending", async () => {
    const server = new FakeServer();
    const controller = new AbortController();
    const upload = uploadStudy(
      { files: [fileOf("a.dcm", 40)], accessToken: "t" },
      {
        api: createApi(server.transport),
        clock: new FakeClock(),
        signal: controller.signal,
        onProgress: (p) => {
          if (p.bytesSent >= 8) controller.abort(new Error("stopped"));
        },
      },
    );
    await expect(upload).rejects.toThrow("stopped");
    expect(server.chunkRequests()).toHaveLength(1);
  });
});
