// Which byte ranges of a file to send, cut into chunks. Pure: no I/O.
// Chunks are addressed by byte offset; every chunk but a file's last must lie within the server's
// [min, max] bounds, and a 0-byte file is sent as one empty chunk at offset 0.
import type { ByteRange, ChunkBounds } from "./contract";

export interface Chunk {
  fileIndex: number;
  offset: number;
  /** Exclusive end offset. */
  end: number;
}

/** The server's preferred chunk size, kept within its own bounds. */
export function chooseChunkSize(bounds: ChunkBounds): number {
  return Math.max(bounds.min, Math.min(bounds.max, bounds.preferred));
}

/** Every chunk of a whole file, in offset order. */
export function planFile(fileIndex: number, size: number, chunkSize: number): Chunk[] {
  if (size === 0) return [{ fileIndex, offset: 0, end: 0 }];
  return planRanges(fileIndex, [[0, size]], chunkSize);
}

/** The chunks that cover the given half-open ranges (e.g. a status's `missing`), in offset order. */
export function planRanges(
  fileIndex: number,
  ranges: readonly ByteRange[],
  chunkSize: number,
): Chunk[] {
  if (!(chunkSize > 0)) throw new RangeError(`chunk size must be positive, got ${chunkSize}`);
  const chunks: Chunk[] = [];
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  for (const [start, end] of sorted) {
    if (start === end && start === 0) chunks.push({ fileIndex, offset: 0, end: 0 });
    for (let offset = start; offset < end; offset += chunkSize) {
      chunks.push({ fileIndex, offset, end: Math.min(offset + chunkSize, end) });
    }
  }
  return chunks;
}
