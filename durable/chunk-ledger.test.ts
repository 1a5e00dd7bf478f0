import { describe, expect, it } from "vitest";
import {
  decideChunk,
  missingRanges,
  provenOnWrite,
  receivedRanges,
  type StoredChunk,
} from "./chunk-ledger";

const rule = { minChunkSize: 10, maxChunkSize: 100 };
const c = (offset: number, size: number, sha = "a"): StoredChunk => ({ offset, size, sha256: sha });

describe("chunk ledger", () => {
  it("accepts a first chunk inside the file", () => {
    expect(decideChunk([], 250, c(0, 100), rule)).toEqual({ kind: "accept" });
  });

  it("re-sending a chunk with the same checksum is a no-op", () => {
    expect(decideChunk([c(0, 100)], 250, c(0, 100), rule)).toEqual({ kind: "duplicate" });
  });

  it("the same offset with different content is a conflict", () => {
    expect(decideChunk([c(0, 100, "a")], 250, c(0, 100, "b"), rule)).toEqual({
      kind: "conflict",
      reason: "different_content",
    });
    expect(decideChunk([c(0, 100, "a")], 250, c(0, 50, "a"), rule).kind).toBe("conflict");
  });

  it("a chunk overlapping another one is a conflict", () => {
    expect(decideChunk([c(0, 100)], 250, c(50, 100), rule)).toEqual({
      kind: "conflict",
      reason: "overlap",
    });
    expect(decideChunk([c(100, 100)], 250, c(50, 60), rule)).toEqual({
      kind: "conflict",
      reason: "overlap",
    });
  });

  it("chunks past the end of the file or at a negative offset are out of range", () => {
    expect(decideChunk([], 250, c(200, 100), rule)).toEqual({ kind: "out_of_range" });
    expect(decideChunk([], 250, c(-1, 10), rule)).toEqual({ kind: "out_of_range" });
  });

  it("chunk size is bounded, except that a file's last chunk may be small", () => {
    expect(decideChunk([], 250, c(0, 101), rule)).toEqual({
      kind: "bad_size",
      reason: "too_large",
    });
    expect(decideChunk([], 250, c(0, 9), rule)).toEqual({ kind: "bad_size", reason: "too_small" });
    expect(decideChunk([], 250, c(245, 5), rule)).toEqual({ kind: "accept" });
  });

  it("chunk size may change within one file: 100 then 40 then 110 is fine if nothing overlaps", () => {
    const stored = [c(0, 100), c(100, 40)];
    expect(decideChunk(stored, 250, c(140, 100), rule)).toEqual({ kind: "accept" });
  });

  it("a 0-byte file takes exactly one empty chunk at offset 0", () => {
    expect(decideChunk([], 0, c(0, 0), rule)).toEqual({ kind: "accept" });
    expect(missingRanges([], 0)).toEqual([[0, 0]]);
    expect(missingRanges([c(0, 0)], 0)).toEqual([]);
    expect(decideChunk([], 10, c(0, 0), rule)).toEqual({ kind: "bad_size", reason: "too_small" });
  });

  it("received ranges merge adjacent chunks and missing ranges are their complement", () => {
    const chunks = [c(100, 50), c(0, 100), c(200, 50)];
    expect(receivedRanges(chunks)).toEqual([
      [0, 150],
      [200, 250],
    ]);
    expect(missingRanges(chunks, 300)).toEqual([
      [150, 200],
      [250, 300],
    ]);
    expect(missingRanges([], 300)).toEqual([[0, 300]]);
  });
});

describe("provenOnWrite", () => {
  const file = { size: 100, sha256: "f" };

  it("a single chunk holding the whole file with the file's own checksum needs no re-read", () => {
    expect(provenOnWrite([c(0, 100, "f")], file)).toBe(true);
  });

  it("a single chunk whose checksum is not the manifest's must be hashed (other bytes arrived)", () => {
    expect(provenOnWrite([c(0, 100, "other")], file)).toBe(false);
  });

  it("several chunks, a partial chunk, or none must be hashed", () => {
    expect(provenOnWrite([c(0, 50, "f"), c(50, 50, "f")], file)).toBe(false);
    expect(provenOnWrite([c(0, 99, "f")], file)).toBe(false);
    expect(provenOnWrite([], file)).toBe(false);
  });
});
