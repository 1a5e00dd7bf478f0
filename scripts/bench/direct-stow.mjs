// The forwarding reference: the same files sent straight to Orthanc with STOW-RS, one
// multipart/related request per batch (same greedy batching and limits as the relay's consumer),
// each body streamed from disk with a known Content-Length. Also empties and counts Orthanc.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { json, send } from "./http.mjs";

// worker/forward/consumer.ts defaults (STOW_BATCH_BYTES / STOW_BATCH_INSTANCES unset).
export const BATCH_BYTES = 50 * 1024 * 1024;
export const BATCH_INSTANCES = 100;

const basic = (orthanc) => `${orthanc.username}:${orthanc.password}`;

/** Same rule as worker/forward/stow-body.ts batchParts: greedy, in order. */
export function batches(files, maxBytes = BATCH_BYTES, maxInstances = BATCH_INSTANCES) {
  const out = [];
  let current = [];
  let bytes = 0;
  for (const f of files) {
    if (current.length > 0 && (bytes + f.size > maxBytes || current.length >= maxInstances)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(f);
    bytes += f.size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

async function* multipart(files, boundary) {
  for (const f of files) {
    yield Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`);
    yield* fs.createReadStream(f.path, { highWaterMark: 1024 * 1024 });
    yield Buffer.from("\r\n");
  }
  yield Buffer.from(`--${boundary}--\r\n`);
}

/** STOWs `study` to Orthanc batch by batch; returns { ms, requests, stored }. Throws on failure. */
export async function directStow(orthanc, study) {
  const started = performance.now();
  let stored = 0;
  const groups = batches(study.files);
  for (const group of groups) {
    const boundary = `bench-${randomBytes(16).toString("hex")}`;
    const framing = `--${boundary}\r\nContent-Type: application/dicom\r\n\r\n\r\n`.length;
    const length = group.reduce((n, f) => n + framing + f.size, 0) + `--${boundary}--\r\n`.length;
    const res = await send(`${orthanc.url}/dicom-web/studies`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(basic(orthanc)).toString("base64")}`,
        accept: "application/dicom+json",
        "content-type": `multipart/related; type="application/dicom"; boundary=${boundary}`,
      },
      body: multipart(group, boundary),
      length,
    });
    if (res.status !== 200)
      throw new Error(`direct STOW-RS answered ${res.status}: ${res.text.slice(0, 300)}`);
    stored += JSON.parse(res.text)["00081199"]?.Value?.length ?? 0;
  }
  return { ms: performance.now() - started, requests: groups.length, stored };
}

export async function instanceCount(orthanc) {
  return (await json(`${orthanc.url}/statistics`, { basic: basic(orthanc) })).CountInstances;
}

/** Deletes every study Orthanc holds (it is the benchmark's own private Orthanc). */
export async function emptyOrthanc(orthanc) {
  for (const id of await json(`${orthanc.url}/studies`, { basic: basic(orthanc) }))
    await json(`${orthanc.url}/studies/${id}`, { method: "DELETE", basic: basic(orthanc) });
  const left = await instanceCount(orthanc);
  if (left !== 0) throw new Error(`Orthanc still holds ${left} instances after deleting`);
}
