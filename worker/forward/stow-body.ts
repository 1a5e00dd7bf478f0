// Builds a STOW-RS request body (PS3.18 10.5: multipart/related, one Part 10 file per part) as a
// pull-based stream of known length, opening each file only once the previous one has been sent,
// so memory stays flat whatever the batch size. Also cuts a study into batches. It sends nothing.

export type StowPart = { size: number; open: () => Promise<ReadableStream<Uint8Array>> };
export type StowBody = {
  body: ReadableStream<Uint8Array>;
  contentLength: number;
  contentType: string;
};

/** A part's stream yielded more or fewer bytes than its declared size: Content-Length would lie. */
export class StowPartSizeMismatch extends Error {
  override name = "StowPartSizeMismatch";
  constructor(
    readonly part: number,
    readonly declared: number,
    readonly actual: number,
  ) {
    super(
      `STOW part ${part} yielded ${actual > declared ? "more than" : actual} bytes, but ${declared} were declared`,
    );
  }
}

// Token characters only, so the boundary needs no quoting: some PACS parsers mishandle quotes.
const BOUNDARY = /^[0-9A-Za-z_.-]{1,70}$/;

function randomBoundary(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  // 128 random bits: the chance that DICOM bytes contain the delimiter line is negligible.
  return `relaypacs-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

export function buildStowBody(parts: StowPart[], boundary: string = randomBoundary()): StowBody {
  if (!BOUNDARY.test(boundary))
    throw new RangeError("A multipart boundary is 1-70 letters, digits, '_', '.' or '-'.");
  if (parts.length === 0) throw new RangeError("A STOW-RS request needs at least one part.");
  for (const p of parts)
    if (!Number.isSafeInteger(p.size) || p.size < 0)
      throw new RangeError(`Bad part size ${p.size}`);
  const encoder = new TextEncoder();
  const head = encoder.encode(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`);
  const tail = encoder.encode("\r\n");
  const closing = encoder.encode(`--${boundary}--\r\n`);
  const contentLength = parts.reduce(
    (n, p) => n + head.length + p.size + tail.length,
    closing.length,
  );

  let index = 0;
  let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  let sent = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const part = parts[index];
        if (!part) {
          controller.enqueue(closing.slice());
          controller.close();
          return;
        }
        if (!reader) {
          reader = (await part.open()).getReader();
          sent = 0;
          controller.enqueue(head.slice()); // a fresh copy each time: a consumer may detach buffers
          return;
        }
        const { done, value } = await reader.read();
        if (!done) {
          sent += value.byteLength;
          if (sent > part.size) {
            await reader.cancel("size mismatch");
            throw new StowPartSizeMismatch(index, part.size, sent);
          }
          controller.enqueue(value);
          return;
        }
        if (sent !== part.size) throw new StowPartSizeMismatch(index, part.size, sent);
        reader = null;
        index++;
        controller.enqueue(tail.slice());
      },
      async cancel(reason) {
        await reader?.cancel(reason);
      },
    },
    // Pull only when the consumer asks: no file is opened before the request starts sending.
    { highWaterMark: 0 },
  );
  return {
    body,
    contentLength,
    contentType: `multipart/related; type="application/dicom"; boundary=${boundary}`,
  };
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
