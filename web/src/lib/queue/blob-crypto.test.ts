import { describe, expect, it } from "vitest";
import { SEGMENT_BYTES, decryptRange, encryptBlob, encryptedSize, newFileKey } from "./blob-crypto";

function bytes(size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 7 + 3) & 0xff;
  return out;
}

async function reader(blob: Blob) {
  return async (start: number, end: number) =>
    new Uint8Array(await blob.slice(start, end).arrayBuffer());
}

describe("encryption at rest of queued files", () => {
  const plain = bytes(2 * SEGMENT_BYTES + 12_345);

  it("any byte range reads back exactly, across segment boundaries", async () => {
    const key = await newFileKey();
    const sealed = await encryptBlob(new Blob([plain]), key);
    expect(sealed.size).toBe(encryptedSize(plain.length));
    const read = await reader(sealed);
    for (const [start, end] of [
      [0, 10],
      [SEGMENT_BYTES - 5, SEGMENT_BYTES + 5],
      [100, plain.length],
      [plain.length, plain.length],
    ] as const) {
      const got = await decryptRange(read, key, plain.length, start, end);
      expect(Buffer.from(got).equals(Buffer.from(plain.subarray(start, end)))).toBe(true);
    }
  });

  it("the stored bytes are not the file's, and the key cannot be exported", async () => {
    const key = await newFileKey();
    const sealed = new Uint8Array(await (await encryptBlob(new Blob([plain]), key)).arrayBuffer());
    expect(Buffer.from(sealed).includes(Buffer.from(plain.subarray(0, 64)))).toBe(false);
    expect(key.extractable).toBe(false);
    await expect(crypto.subtle.exportKey("raw", key)).rejects.toThrow();
  });

  it("a damaged or swapped segment does not decrypt", async () => {
    const key = await newFileKey();
    const sealed = new Uint8Array(await (await encryptBlob(new Blob([plain]), key)).arrayBuffer());
    sealed[40] = (sealed[40] ?? 0) ^ 1;
    const read = await reader(new Blob([sealed]));
    await expect(decryptRange(read, key, plain.length, 0, 10)).rejects.toThrow();
  });

  it("hands every plaintext segment to the caller, in order (to hash while encrypting)", async () => {
    const seen: number[] = [];
    await encryptBlob(new Blob([plain]), await newFileKey(), (s) => seen.push(s.length));
    expect(seen).toEqual([SEGMENT_BYTES, SEGMENT_BYTES, 12_345]);
  });
});
