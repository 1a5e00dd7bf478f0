// SHA-256 over a Blob read slice by slice, so a large file is never held in memory whole.
// @noble/hashes rather than WebCrypto: subtle.digest cannot hash incrementally.
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";

export const HASH_SLICE_BYTES = 4 * 1024 * 1024;

export interface HashOptions {
  sliceBytes?: number;
  /** Called after each slice with the bytes hashed so far. */
  onProgress?: (bytesHashed: number) => void;
  signal?: AbortSignal;
}

/** Lowercase hex SHA-256 of the whole blob. */
export async function sha256OfBlob(
  blob: Pick<Blob, "size" | "slice">,
  { sliceBytes = HASH_SLICE_BYTES, onProgress, signal }: HashOptions = {},
): Promise<string> {
  const hasher = sha256.create();
  for (let offset = 0; offset < blob.size; offset += sliceBytes) {
    signal?.throwIfAborted();
    const end = Math.min(offset + sliceBytes, blob.size);
    hasher.update(new Uint8Array(await blob.slice(offset, end).arrayBuffer()));
    onProgress?.(end);
  }
  return bytesToHex(hasher.digest());
}

/** Lowercase hex SHA-256 of bytes already in memory (one chunk). */
export function sha256OfBytes(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}
