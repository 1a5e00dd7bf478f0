import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sha256OfBlob, sha256OfBytes } from "./hash";

const nodeHex = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("sha256OfBlob", () => {
  it("hashing a blob slice by slice gives the digest of the whole", async () => {
    const bytes = new Uint8Array(1000).map((_, i) => (i * 7) & 0xff);
    const seen: number[] = [];
    const digest = await sha256OfBlob(new Blob([bytes]), {
      sliceBytes: 300,
      onProgress: (n) => seen.push(n),
    });
    expect(digest).toBe(nodeHex(bytes));
    expect(seen).toEqual([300, 600, 900, 1000]);
  });

  it("only one slice at a time is read from the blob", async () => {
    const blob = new Blob([new Uint8Array(1000)]);
    const sliced: number[] = [];
    const spy = {
      size: blob.size,
      slice: (s?: number, e?: number) => (sliced.push((e ?? 0) - (s ?? 0)), blob.slice(s, e)),
    };
    await sha256OfBlob(spy, { sliceBytes: 256 });
    expect(sliced).toEqual([256, 256, 256, 232]);
  });

  it("an empty blob hashes to the SHA-256 of nothing", async () => {
    await expect(sha256OfBlob(new Blob([]))).resolves.toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
  });

  it("bytes in memory hash as lowercase hex", () => {
    expect(sha256OfBytes(new TextEncoder().encode("abc"))).toBe(
      nodeHex(new TextEncoder().encode("abc")),
    );
  });
});
