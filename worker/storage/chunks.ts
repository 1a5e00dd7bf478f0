// Chunk objects in R2: one object per chunk, keyed by session, file, offset and checksum.
// Why not R2 multipart: every part but the last must have the same size, and our clients change
// chunk size with bandwidth (docs/design.md). The checksum in the key means two racing PUTs of
// different bytes never overwrite each other, and no key is ever written twice per second.
import { toHex } from "../hex";

export interface ChunkRef {
  offset: number;
  size: number;
  key: string;
}

export const sessionPrefix = (sessionId: string) => `sessions/${sessionId}/`;

export const chunkKey = (sessionId: string, file: number, offset: number, sha256: string) =>
  `${sessionPrefix(sessionId)}${file}/${offset}-${sha256}`;

/** Reads bytes [start, end) of a file stored as ordered chunks, with ranged R2 reads. */
export async function readRange(
  bucket: R2Bucket,
  chunks: readonly ChunkRef[],
  start: number,
  end: number,
): Promise<Uint8Array> {
  const out = new Uint8Array(Math.max(0, end - start));
  for (const c of chunks) {
    const from = Math.max(start, c.offset);
    const to = Math.min(end, c.offset + c.size);
    if (from >= to) continue;
    const obj = await bucket.get(c.key, { range: { offset: from - c.offset, length: to - from } });
    if (!obj) throw new Error(`chunk object missing: ${c.key}`);
    out.set(new Uint8Array(await obj.arrayBuffer()), from - start);
  }
  return out;
}

const inOrder = (chunks: readonly ChunkRef[]) => [...chunks].sort((a, b) => a.offset - b.offset);

async function chunkBody(bucket: R2Bucket, chunk: ChunkRef): Promise<ReadableStream<Uint8Array>> {
  const obj = await bucket.get(chunk.key);
  if (!obj) throw new Error(`chunk object missing: ${chunk.key}`);
  return obj.body;
}

/**
 * Pipes a stored file's chunks, in order, into `writable` and leaves it open. R2 bodies piped into
 * a runtime writable (a request body, a digest) move inside the runtime: no JavaScript buffer per
 * read, which made forwarding three times faster and left far less garbage than reading in JS.
 */
export async function pipeFile(
  bucket: R2Bucket,
  chunks: readonly ChunkRef[],
  writable: WritableStream<Uint8Array>,
): Promise<void> {
  for (const chunk of inOrder(chunks)) {
    await (await chunkBody(bucket, chunk)).pipeTo(writable, { preventClose: true });
  }
}

/**
 * A whole stored file as one stream. A one-chunk file (most DICOM instances) is its R2 body itself,
 * which a runtime writable takes without JavaScript in between. A file of several chunks is read
 * chunk after chunk through a JavaScript stream: workerd cannot pipe one runtime stream through
 * another (a FixedLengthStream fed from R2, then piped on, fails with "Inter-TransformStream
 * ReadableStream.pipeTo() is not implemented"). Memory holds one R2 read buffer at a time.
 */
export async function openFile(
  bucket: R2Bucket,
  chunks: readonly ChunkRef[],
): Promise<ReadableStream<Uint8Array>> {
  const [only, ...rest] = chunks;
  if (only && rest.length === 0) return chunkBody(bucket, only);
  const ordered = inOrder(chunks);
  let i = 0;
  let current: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        if (!current) {
          const next = ordered[i++];
          if (!next) return controller.close();
          current = (await chunkBody(bucket, next)).getReader();
        }
        const { done, value } = await current.read();
        if (!done) return controller.enqueue(value);
        current = undefined;
      }
    },
    async cancel(reason) {
      await current?.cancel(reason);
    },
  });
}

/** SHA-256 of a stored file, hashed as it streams (crypto.DigestStream: no whole-file buffer). */
export async function sha256OfFile(bucket: R2Bucket, chunks: readonly ChunkRef[]): Promise<string> {
  const digest = new crypto.DigestStream("SHA-256");
  await pipeFile(bucket, chunks, digest);
  await digest.close();
  return toHex(await digest.digest);
}

/** Deletes every object under a session's prefix, a page at a time. */
export async function deleteSessionObjects(bucket: R2Bucket, sessionId: string): Promise<number> {
  let deleted = 0;
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix: sessionPrefix(sessionId), cursor, limit: 1000 });
    const keys = page.objects.map((o) => o.key);
    if (keys.length) await bucket.delete(keys);
    deleted += keys.length;
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return deleted;
}
