// A benchmark client of the RelayPACS upload API, doing what web/src/lib/uploader does (manifest,
// chunks by byte offset with their SHA-256, complete, poll) but from Node with files on disk, N
// chunk PUTs at a time. Chunks are read from disk one at a time per lane, never a whole file.
import { createHash } from "node:crypto";
import fs from "node:fs";
import { Cut, HttpError, json, pool, restarted, send } from "./http.mjs";

const RETRIES_5XX = 3;

export const TERMINAL = new Set(["delivered", "partially_delivered", "failed", "expired"]);

export async function login(stack) {
  const answer = await json(`${stack.url}/api/auth/login`, { method: "POST", body: stack.login });
  return answer.accessToken;
}

/** Opens a session for `study`; returns { sessionId, uploadToken, chunkSize }. */
export async function openSession(url, accessToken, study, preferredChunkSize) {
  const files = study.files.map((f) => ({ name: f.name, size: f.size, sha256: f.sha256 }));
  const init = await json(`${url}/api/uploads`, {
    method: "POST",
    token: accessToken,
    body: { files, preferredChunkSize },
  });
  if (init.chunkSize.preferred !== preferredChunkSize) {
    throw new Error(
      `the relay chose ${init.chunkSize.preferred}-byte chunks, not ${preferredChunkSize} (bounds ${init.chunkSize.min}-${init.chunkSize.max})`,
    );
  }
  return init;
}

export const newUploadToken = async (url, accessToken, sessionId) =>
  (await json(`${url}/api/uploads/${sessionId}/token`, { method: "POST", token: accessToken }))
    .uploadToken;

export const getStatus = (url, token, sessionId, timeoutMs) =>
  json(`${url}/api/uploads/${sessionId}`, { token, timeoutMs });

export const complete = (url, token, sessionId) =>
  json(`${url}/api/uploads/${sessionId}/complete`, { method: "POST", token });

/** Chunks covering `ranges` of file `index` (half-open [start, end)), cut at `chunkSize`. */
export function planRanges(index, ranges, chunkSize) {
  const jobs = [];
  for (const [start, end] of ranges)
    for (let offset = start; offset < end; offset += chunkSize)
      jobs.push({ file: index, offset, end: Math.min(offset + chunkSize, end) });
  return jobs;
}

export const planStudy = (study, chunkSize) =>
  study.files.flatMap((f, i) => planRanges(i, [[0, f.size]], chunkSize));

export async function readChunk(study, job) {
  const buffer = Buffer.allocUnsafe(job.end - job.offset);
  const handle = await fs.promises.open(study.files[job.file].path, "r");
  try {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, job.offset);
    if (bytesRead !== buffer.length) throw new Error(`short read of ${study.files[job.file].path}`);
  } finally {
    await handle.close();
  }
  return buffer;
}

export const sha256 = (buffer) => createHash("sha256").update(buffer).digest("hex");

/**
 * Sends `jobs` (chunks) `parallel` at a time. `urlOf(job)` is where to PUT; `job.sha256` is used
 * when present, else the chunk is hashed after reading (as a client does). Returns counters;
 * with `cut`, PUTs in flight when it fires are cut mid-body and counted, not thrown.
 */
export async function sendChunks(study, jobs, { urlOf, token, parallel, agent, pieceBytes, cut }) {
  const counters = {
    written: 0,
    puts: 0,
    noops: 0,
    retries: 0,
    inFlightAtCut: 0,
    partialBytesAtCut: 0,
  };
  const inFlight = new Map();
  cut?.signal.addEventListener("abort", () => {
    counters.inFlightAtCut = inFlight.size;
    counters.partialBytesAtCut = [...inFlight.values()].reduce((n, p) => n + p.written, 0);
  });
  const onWrite = (progress) => (n) => {
    progress.written += n;
    counters.written += n;
    if (cut && !cut.signal.aborted && counters.written >= cut.atByte) cut.abort();
  };
  const put = async (job, bytes, headers) => {
    if (cut?.signal.aborted) throw new Cut(0);
    const progress = { written: 0 };
    inFlight.set(job, progress);
    try {
      return await send(urlOf(job), {
        method: "PUT",
        headers,
        body: bytes,
        agent,
        pieceBytes,
        onWrite: onWrite(progress),
        cut: cut?.signal,
      });
    } finally {
      inFlight.delete(job);
    }
  };
  try {
    await pool(jobs, parallel, async (job) => {
      const bytes = await readChunk(study, job);
      const headers = { "content-type": "application/octet-stream" };
      headers["x-chunk-sha256"] = job.sha256 ?? sha256(bytes);
      if (token) headers.authorization = `Bearer ${token}`;
      // A 5xx is retried, as the PWA does; retries are counted, since their bytes are part of the
      // measured time. wrangler dev's proxy answers "worker restarted mid-request" when the worker
      // reloads, and also, now and then, for the first request on a connection that sat idle:
      // that one is retried at once.
      let res = await put(job, bytes, headers);
      for (let retry = 1; res.status >= 500 && retry <= RETRIES_5XX; retry++) {
        counters.retries++;
        counters.lastRetryReason = `${res.status}: ${res.text.slice(0, 200)}`;
        if (!restarted(res)) await new Promise((r) => setTimeout(r, 1000));
        res = await put(job, bytes, headers);
      }
      if (res.status !== 200 && res.status !== 201)
        throw new HttpError(res.status, res.text, `PUT chunk ${job.file}@${job.offset}`);
      counters.puts++;
      if (res.status === 200 && JSON.parse(res.text).stored === false) counters.noops++;
    });
  } catch (error) {
    if (!(error instanceof Cut && cut?.signal.aborted)) throw error;
  }
  return counters;
}

export const chunkUrl = (url, sessionId) => (job) =>
  `${url}/api/uploads/${sessionId}/chunks/${job.file}/${job.offset}`;

/** Polls the status until `done(status)`; returns { status, ms }. */
export async function pollUntil(url, token, sessionId, done, { everyMs = 250, timeoutMs }) {
  const started = performance.now();
  for (;;) {
    // A short timeout: a status answers in well under a second, and wrangler dev parks a GET now
    // and then (see http.mjs json).
    const status = await getStatus(url, token, sessionId, 5000);
    if (done(status)) return { status, ms: performance.now() - started };
    if (TERMINAL.has(status.state)) {
      // What the relay said about the files it did not deliver (codes and words, no PHI).
      const why = new Map();
      for (const f of status.files ?? []) {
        const o = f.outcome;
        if (o && (o.status === "stored" || o.status === "warning")) continue;
        const key = o
          ? `${o.status}${o.code ? ` ${o.code}` : ""}: ${o.message ?? ""}`
          : "no outcome";
        why.set(key, (why.get(key) ?? 0) + 1);
      }
      const missing = (status.files ?? []).flatMap((f, i) => (f.outcome ? [] : [f.index ?? i]));
      if (process.env.BENCH_DEBUG) console.log("no outcome:", JSON.stringify(missing));
      const detail = [...why].map(([k, n]) => `${n} x ${k}`).join("; ");
      throw new Error(
        `session ended ${status.state}: ${status.message}${detail ? ` (${detail})` : ""}`,
      );
    }
    if (performance.now() - started > timeoutMs)
      throw new Error(`session still ${status.state} after ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Adds each job's SHA-256 (read from disk, two lanes), so timed runs only send. */
export async function hashJobs(study, jobs) {
  await pool(jobs, 2, async (job) => {
    job.sha256 = sha256(await readChunk(study, job));
  });
  return jobs;
}

/**
 * Signs in, opens a session and sends the whole study; returns the session, its upload token and
 * how long the chunk PUTs took (from the first PUT to the last answer).
 */
export async function uploadStudy(stack, study, { chunkSize, parallel, agent }) {
  const accessToken = await login(stack);
  const session = await openSession(stack.url, accessToken, study, chunkSize);
  const jobs = planStudy(study, chunkSize);
  const started = performance.now();
  const counters = await sendChunks(study, jobs, {
    urlOf: chunkUrl(stack.url, session.sessionId),
    token: session.uploadToken,
    parallel,
    agent,
  });
  return { ...session, accessToken, ms: performance.now() - started, counters };
}
