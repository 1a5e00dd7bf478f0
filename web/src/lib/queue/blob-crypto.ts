// Optional encryption at rest of queued files: AES-GCM (WebCrypto) in 1 MiB segments, so one chunk
// is read back without decrypting the whole file. Each segment is [12-byte IV | ciphertext+tag],
// with its index as additional data (segments cannot be swapped). The key is non-extractable and
// lives in IndexedDB beside the files: this protects copies of the stored blobs, not a device that
// is unlocked and running the app.
export const SEGMENT_BYTES = 1024 * 1024;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const OVERHEAD = IV_BYTES + TAG_BYTES;
/** Fold encrypted parts into one Blob every this many bytes, so they leave the JS heap. */
const FOLD_BYTES = 16 * 1024 * 1024;

export function newFileKey(): Promise<CryptoKey> {
  return crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
}

export function encryptedSize(plainSize: number): number {
  return plainSize + Math.ceil(plainSize / SEGMENT_BYTES) * OVERHEAD;
}

function segmentAad(index: number): Uint8Array<ArrayBuffer> {
  const aad = new Uint8Array(4);
  new DataView(aad.buffer).setUint32(0, index);
  return aad;
}

/** Encrypts `source`; `onPlain` sees every plaintext segment in order (to hash while encrypting). */
export async function encryptBlob(
  source: Pick<Blob, "size" | "slice">,
  key: CryptoKey,
  onPlain?: (segment: Uint8Array<ArrayBuffer>) => void,
): Promise<Blob> {
  let folded = new Blob([]);
  let parts: ArrayBuffer[] = [];
  let pending = 0;
  for (let index = 0, offset = 0; offset < source.size; index++, offset += SEGMENT_BYTES) {
    const end = Math.min(offset + SEGMENT_BYTES, source.size);
    const plain = new Uint8Array(await source.slice(offset, end).arrayBuffer());
    onPlain?.(plain);
    const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
    const sealed = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: segmentAad(index) },
      key,
      plain,
    );
    parts.push(iv.buffer, sealed);
    pending += sealed.byteLength + IV_BYTES;
    if (pending >= FOLD_BYTES) {
      folded = new Blob([folded, ...parts]);
      parts = [];
      pending = 0;
    }
  }
  return new Blob([folded, ...parts]);
}

/** Plaintext bytes [start, end) of a file stored encrypted; `readRaw` reads the stored bytes. */
export async function decryptRange(
  readRaw: (start: number, end: number) => Promise<Uint8Array<ArrayBuffer>>,
  key: CryptoKey,
  plainSize: number,
  start: number,
  end: number,
): Promise<Uint8Array<ArrayBuffer>> {
  if (start < 0 || end > plainSize || start > end) {
    throw new RangeError(`range [${start}, ${end}) is outside a file of ${plainSize} bytes`);
  }
  const out = new Uint8Array(end - start);
  if (end === start) return out;
  const first = Math.floor(start / SEGMENT_BYTES);
  const last = Math.floor((end - 1) / SEGMENT_BYTES);
  for (let index = first; index <= last; index++) {
    const plainStart = index * SEGMENT_BYTES;
    const plainLength = Math.min(SEGMENT_BYTES, plainSize - plainStart);
    const rawStart = index * (SEGMENT_BYTES + OVERHEAD);
    const raw = await readRaw(rawStart, rawStart + plainLength + OVERHEAD);
    const plain = new Uint8Array(
      await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: raw.subarray(0, IV_BYTES), additionalData: segmentAad(index) },
        key,
        raw.subarray(IV_BYTES),
      ),
    );
    const from = Math.max(start, plainStart) - plainStart;
    const to = Math.min(end, plainStart + plainLength) - plainStart;
    out.set(plain.subarray(from, to), plainStart + from - start);
  }
  return out;
}
