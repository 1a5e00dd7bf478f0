// The worker isolate's own V8 heap, read through wrangler's DevTools port (Runtime.getHeapUsage),
// beside workerd's RSS. The process RSS also holds the local R2, D1 and Queues simulators (other
// isolates, SQLite, blob files) and memory V8 has not returned yet; Cloudflare's 128 MB limit is
// the isolate's. Needs Node's WebSocket: Node 22+, or Node 20 with --experimental-websocket
// (`npm run bench` passes it). wrangler's proxy accepts a client that sends a localhost Origin.
import { MB, round } from "./context.mjs";

/**
 * Samples the isolate's heap every `everyMs` until stop(), which resolves with
 * { peakUsed, peakCommitted, samples } in bytes, or { error } when the heap could not be read.
 */
export async function watchIsolateHeap(inspectorPort, everyMs = 100) {
  if (typeof WebSocket === "undefined")
    return stopped("Node has no WebSocket here (run with --experimental-websocket)");
  let target;
  const deadline = Date.now() + 10_000;
  while (!target) {
    try {
      const list = await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json();
      target = list.find((t) => t.webSocketDebuggerUrl)?.webSocketDebuggerUrl;
    } catch {
      // wrangler's proxy is not listening yet
    }
    if (!target && Date.now() > deadline) return stopped("no worker on the DevTools port");
    if (!target) await new Promise((r) => setTimeout(r, 250));
  }
  const ws = new WebSocket(target, { headers: { Origin: "http://localhost" } });
  const opened = await new Promise((resolve) => {
    ws.addEventListener("open", () => resolve(true));
    ws.addEventListener("error", () => resolve(false));
  });
  if (!opened) return stopped("the DevTools port refused the connection");

  let nextId = 0;
  const pending = new Map();
  ws.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data));
    pending.get(message.id)?.(message.result ?? null);
    pending.delete(message.id);
  });
  ws.addEventListener("close", () => {
    for (const resolve of pending.values()) resolve(null);
    pending.clear();
  });
  const usage = () =>
    new Promise((resolve) => {
      const id = ++nextId;
      pending.set(id, resolve);
      ws.send(JSON.stringify({ id, method: "Runtime.getHeapUsage" }));
    });

  const peak = { peakUsed: 0, peakCommitted: 0, samples: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      const result = await usage();
      if (result) {
        peak.peakUsed = Math.max(peak.peakUsed, result.usedSize);
        peak.peakCommitted = Math.max(peak.peakCommitted, result.totalSize);
        peak.samples++;
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      ws.close();
      return peak.samples > 0 ? peak : { error: "no heap sample answered" };
    },
  };
}

function stopped(error) {
  return { stop: async () => ({ error }) };
}

/** Peak heap of the worker isolate in MB, or why it was not read. */
export const isolateFigures = (isolate) =>
  "error" in isolate
    ? { error: isolate.error }
    : {
        usedPeakMB: round(isolate.peakUsed / MB, 1),
        committedPeakMB: round(isolate.peakCommitted / MB, 1),
        samples: isolate.samples,
      };

export const describeIsolate = (i) =>
  "error" in i
    ? `not read (${i.error})`
    : `${i.usedPeakMB} MB used, ${i.committedPeakMB} MB committed (${i.samples} samples)`;

/** Large minus small peak, used and committed, in MB; null where either run was not read. */
export function isolateGrowthMB(small, large) {
  const growth = (key) => (key in small && key in large ? round(large[key] - small[key], 1) : null);
  return { used: growth("usedPeakMB"), committed: growth("committedPeakMB") };
}
