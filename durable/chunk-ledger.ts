// Pure rules for accepting a chunk into a file and for the ranges a file still misses.
// Chunks are addressed by byte offset, so the client may change chunk size mid-session; a chunk
// must not overlap another one, which makes "same offset, same checksum" the only idempotent case.
import type { ByteRange } from "../worker/contract";

export interface StoredChunk {
  offset: number;
  size: number;
  sha256: string;
}

export interface ChunkBoundsRule {
  minChunkSize: number;
  maxChunkSize: number;
}

export type ChunkDecision =
  | { kind: "accept" }
  | { kind: "duplicate" }
  | { kind: "conflict"; reason: "different_content" | "overlap" }
  | { kind: "out_of_range" }
  | { kind: "bad_size"; reason: "too_small" | "too_large" };

export function decideChunk(
  existing: readonly StoredChunk[],
  fileSize: number,
  chunk: StoredChunk,
  rule: ChunkBoundsRule,
): ChunkDecision {
  const { offset, size } = chunk;
  const end = offset + size;
  if (offset < 0 || end > fileSize) return { kind: "out_of_range" };
  if (size === 0 && fileSize !== 0) return { kind: "bad_size", reason: "too_small" };
  if (size > rule.maxChunkSize) return { kind: "bad_size", reason: "too_large" };
  // Only a file's last chunk may be smaller than the minimum.
  if (size < rule.minChunkSize && end !== fileSize)
    return { kind: "bad_size", reason: "too_small" };
  for (const c of existing) {
    if (c.offset === offset) {
      return c.size === size && c.sha256 === chunk.sha256
        ? { kind: "duplicate" }
        : { kind: "conflict", reason: "different_content" };
    }
    if (offset < c.offset + c.size && c.offset < end)
      return { kind: "conflict", reason: "overlap" };
  }
  return { kind: "accept" };
}

/** Merged received ranges of a file, sorted. */
export function receivedRanges(chunks: readonly StoredChunk[]): ByteRange[] {
  const sorted = [...chunks].sort((a, b) => a.offset - b.offset);
  const out: ByteRange[] = [];
  for (const c of sorted) {
    const last = out[out.length - 1];
    if (last && last[1] === c.offset) last[1] = c.offset + c.size;
    else out.push([c.offset, c.offset + c.size]);
  }
  return out;
}

/** The ranges of [0, fileSize) not covered by any chunk. A 0-byte file misses [0,0) until sent. */
export function missingRanges(chunks: readonly StoredChunk[], fileSize: number): ByteRange[] {
  if (fileSize === 0) return chunks.length > 0 ? [] : [[0, 0]];
  const out: ByteRange[] = [];
  let cursor = 0;
  for (const [start, end] of receivedRanges(chunks)) {
    if (start > cursor) out.push([cursor, start]);
    cursor = Math.max(cursor, end);
  }
  if (cursor < fileSize) out.push([cursor, fileSize]);
  return out;
}

/**
 * Whether a file's bytes were already proven whole when they were written: one chunk covering
 * the whole file whose SHA-256 (which R2 checked on write, refusing other bytes) is the file's own
 * checksum from the manifest. Such a file need not be read back and hashed again at complete;
 * a file of several chunks must be, since only the whole-file hash proves they fit together.
 */
export function provenOnWrite(
  chunks: readonly StoredChunk[],
  file: { size: number; sha256: string },
): boolean {
  const [only, ...rest] = chunks;
  return (
    only !== undefined &&
    rest.length === 0 &&
    only.offset === 0 &&
    only.size === file.size &&
    only.sha256 === file.sha256
  );
}
