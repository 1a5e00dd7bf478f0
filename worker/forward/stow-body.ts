// Writes a STOW-RS request body (PS3.18 10.5: multipart/related, one Part 10 file per part) of
// known length into a writable, piping each file in only once the previous one has been written,
// so memory stays flat whatever the batch size. Also cuts a study into batches. It sends nothing.

export type StowPart = { size: number; open: () => Promise<ReadableStream<Uint8Array>> };
export type StowFraming = { boundary: string; contentLength: number; contentType: string };

// Token characters only, so the boundary needs no quoting: some PACS parsers mishandle quotes.
const BOUNDARY = /^[0-9A-Za-z_.-]{1,70}$/;

function randomBoundary(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  // 128 random bits: the chance that DICOM bytes contain the delimiter line is negligible.
  return `relaypacs-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

const encoder = new TextEncoder();
const partHead = (boundary: string) =>
  encoder.encode(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`);
const CRLF = encoder.encode("\r\n");
const closing = (boundary: string) => encoder.encode(`--${boundary}--\r\n`);

/** The boundary, exact Content-Length and Content-Type of the body writeStowBody will write. */
export function stowFraming(parts: StowPart[], boundary: string = randomBoundary()): StowFraming {
  if (!BOUNDARY.test(boundary))
    throw new RangeError("A multipart boundary is 1-70 letters, digits, '_', '.' or '-'.");
  if (parts.length === 0) throw new RangeError("A STOW-RS request needs at least one part.");
  for (const p of parts)
    if (!Number.isSafeInteger(p.size) || p.size < 0)
      throw new RangeError(`Bad part size ${p.size}`);
  const head = partHead(boundary).length;
  return {
    boundary,
    contentLength: parts.reduce(
      (n, p) => n + head + p.size + CRLF.length,
      closing(boundary).length,
    ),
    contentType: `multipart/related; type="application/dicom"; boundary=${boundary}`,
  };
}

async function put(
  writable: WritableStream<Uint8Array>,
  bytes: Uint8Array,
  signal: AbortSignal | undefined,
): Promise<void> {
  const writer = writable.getWriter();
  // A write waits for the reader; stopping must not wait for one that will never come.
  const stop = () => void writer.abort(signal?.reason).catch(() => undefined);
  signal?.addEventListener("abort", stop);
  try {
    await writer.write(bytes.slice()); // a fresh copy: a consumer may detach what it is given
  } finally {
    signal?.removeEventListener("abort", stop);
    writer.releaseLock();
  }
}

/**
 * Writes the multipart body into `writable` and closes it; aborts it when a file cannot be read.
 * Each file's stream is piped straight in: from R2 into a request body that stays inside the
 * runtime. Writes wait for the reader (a request body has no buffer), so a file is opened only
 * when the one before it has been taken. A part of the wrong length makes the total differ from
 * the announced Content-Length, which a FixedLengthStream refuses: the request fails, never lies.
 * `signal` stops the writing, e.g. when the PACS answered before reading the whole body.
 */
export async function writeStowBody(
  writable: WritableStream<Uint8Array>,
  parts: StowPart[],
  boundary: string,
  signal?: AbortSignal,
): Promise<void> {
  try {
    for (const part of parts) {
      signal?.throwIfAborted();
      await put(writable, partHead(boundary), signal);
      await (await part.open()).pipeTo(writable, { preventClose: true, signal });
      await put(writable, CRLF, signal);
    }
    await put(writable, closing(boundary), signal);
    await writable.close();
  } catch (error) {
    await writable.abort(error).catch(() => undefined);
    throw error;
  }
}

/**
 * Splits items into consecutive batches of at most `maxBytes` (sum of sizes) and `maxInstances`
 * items, greedily and in order. An item larger than `maxBytes` travels alone. Leave some headroom
 * in `maxBytes` for the multipart framing (under 100 bytes per part).
 */
export function batchParts<T extends { size: number }>(
  items: T[],
  maxBytes: number,
  maxInstances: number,
): T[][] {
  if (!(maxBytes > 0)) throw new RangeError("maxBytes must be positive");
  if (!Number.isInteger(maxInstances) || maxInstances < 1)
    throw new RangeError("maxInstances must be at least 1");
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length > 0 && (bytes + item.size > maxBytes || current.length >= maxInstances)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
