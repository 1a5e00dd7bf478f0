// Plain node:http plumbing for the benchmarks: a PUT/POST whose body is written piece by piece (so
// it can be cut mid-body and its bytes counted), JSON calls, and a pool running jobs N at a time.
// node:http rather than fetch: it sends our Content-Length with a streamed body and can be cut.
import http from "node:http";

export class HttpError extends Error {
  constructor(status, text, what) {
    let detail = text.slice(0, 300);
    try {
      detail = JSON.parse(text).error?.message ?? detail;
    } catch {
      // not JSON: keep the text
    }
    super(`${what} answered ${status}: ${detail}`);
    this.status = status;
  }
}

/** Thrown by `send` when its `cut` signal fired before the answer came. */
export class Cut extends Error {
  constructor(written) {
    super("cut");
    this.written = written;
  }
}

export function keepAliveAgent(maxSockets) {
  return new http.Agent({ keepAlive: true, maxSockets });
}

/** Thrown by `send` when no answer came within its `timeoutMs`. */
export class TimedOut extends Error {
  constructor(url, ms) {
    super(`no answer from ${url} within ${ms / 1000} s`);
  }
}

/**
 * Sends one request. `body`: a Buffer, or an async iterable of Buffers with `length` given.
 * `pieceBytes` splits a Buffer body into writes of that size; `onWrite(n)` sees every write.
 * `cut` (AbortSignal) destroys the socket mid-body; `timeoutMs` gives up on the answer.
 * Resolves { status, text, written }.
 */
export function send(
  url,
  { method, headers = {}, body, length, agent, pieceBytes, onWrite, cut, timeoutMs },
) {
  const target = new URL(url);
  const size = Buffer.isBuffer(body) ? body.length : (length ?? 0);
  return new Promise((resolve, reject) => {
    let written = 0;
    let settled = false;
    let timer;
    const finish = (fn, value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      cut?.removeEventListener("abort", onCut);
      fn(value);
    };
    const req = http.request({
      host: target.hostname,
      port: target.port,
      path: target.pathname + target.search,
      method,
      agent,
      headers: { ...headers, "content-length": String(size) },
    });
    const onCut = () => {
      req.destroy();
      finish(reject, new Cut(written));
    };
    if (cut?.aborted) return onCut();
    if (timeoutMs)
      timer = setTimeout(() => {
        req.destroy();
        finish(reject, new TimedOut(url, timeoutMs));
      }, timeoutMs);
    cut?.addEventListener("abort", onCut);
    req.on("error", (error) => finish(reject, cut?.aborted ? new Cut(written) : error));
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (text += d));
      res.on("end", () => finish(resolve, { status: res.statusCode ?? 0, text, written }));
      res.on("error", (error) => finish(reject, error));
    });
    const write = async () => {
      const pieces = Buffer.isBuffer(body) ? slices(body, pieceBytes ?? body.length) : body;
      for await (const piece of pieces ?? []) {
        if (settled) return;
        const drained = req.write(piece);
        written += piece.length;
        onWrite?.(piece.length); // may cut this very request
        if (settled) return;
        if (!drained)
          await new Promise((r) => {
            const done = () => {
              req.off("drain", done);
              req.off("close", done);
              r();
            };
            req.on("drain", done);
            req.on("close", done);
          });
      }
      if (!settled) req.end();
    };
    write().catch((error) => {
      req.destroy();
      finish(reject, error);
    });
  });
}

function* slices(buffer, size) {
  for (let at = 0; at < buffer.length; at += size)
    yield buffer.subarray(at, Math.min(at + size, buffer.length));
}

const GET_TIMEOUT_MS = 30_000;

/** wrangler dev's answer to a request caught by a reload of the worker. */
export const restarted = (res) => res.status === 503 && res.text.includes("restarted mid-request");

/** A JSON call; throws HttpError on a non-2xx answer. */
export async function json(url, { method = "GET", token, body, agent, basic, timeoutMs } = {}) {
  const headers = { accept: "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (basic) headers.authorization = `Basic ${Buffer.from(basic).toString("base64")}`;
  let payload = Buffer.alloc(0);
  if (body !== undefined) {
    headers["content-type"] = "application/json";
    payload = Buffer.from(JSON.stringify(body));
  }
  // wrangler dev's proxy answers a request caught by a reload of the worker (or, now and then, one
  // sent over a connection that sat idle) with a 503 when it has a body; a GET it parks instead,
  // sometimes for good. Every call we make may be repeated, so both are retried, a GET after a
  // timeout.
  const limit = timeoutMs ?? (method === "GET" ? GET_TIMEOUT_MS : undefined);
  let res;
  for (let attempt = 1; ; attempt++) {
    try {
      res = await send(url, { method, headers, body: payload, agent, timeoutMs: limit });
      // A GET is idempotent: any 5xx is retried (wrangler dev also answers a parked GET that it
      // replays with a 500 "Cannot reconstruct a Request with a used body").
      const again = restarted(res) || (method === "GET" && res.status >= 500);
      if (!again || attempt > 3) break;
      await new Promise((r) => setTimeout(r, 1000));
    } catch (error) {
      if (!(error instanceof TimedOut) || attempt > 3) throw error;
    }
  }
  if (res.status < 200 || res.status >= 300) throw new HttpError(res.status, res.text, method);
  return res.text ? JSON.parse(res.text) : null;
}

/** Runs `worker(job)` over `jobs` with at most `parallel` at once; the first failure rejects. */
export async function pool(jobs, parallel, worker) {
  let next = 0;
  let failed;
  const lanes = Array.from({ length: Math.min(parallel, jobs.length) }, async () => {
    while (next < jobs.length && failed === undefined) {
      const job = jobs[next++];
      try {
        await worker(job);
      } catch (error) {
        failed ??= error;
      }
    }
  });
  await Promise.all(lanes);
  if (failed !== undefined) throw failed;
}
