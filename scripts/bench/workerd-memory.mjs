// Peak resident memory and CPU time of the workerd processes behind one `wrangler dev` (/proc).
// wrangler dev runs two: a proxy that owns the public port, and the runtime that runs our worker
// (and its Durable Objects, R2, queues). The runtime is the one the memory targets are about.
import fs from "node:fs";
import { descendants, isAlive } from "../lib/processes.mjs";

/**
 * wrangler dev replaced its workerd runtime (it reloads when a file its bundler watches changes,
 * e.g. another process touching node_modules): figures spanning the reload are void.
 */
export class Reloaded extends Error {
  constructor() {
    super("wrangler dev restarted its workerd mid-measurement (a watched file changed)");
  }
}

/** A /proc file of `pid`; a vanished process means the runtime was replaced. */
function proc(pid, file) {
  try {
    return fs.readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch (error) {
    if (error?.code === "ENOENT" || error?.code === "ESRCH") throw new Reloaded();
    throw error;
  }
}

/** Throws Reloaded unless every process of `pids` still runs. */
export function assertSame(pids) {
  if (!Object.values(pids).every((pid) => !pid || isAlive(pid))) throw new Reloaded();
}

const cmdline = (pid) => fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");

function parentOf(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}

/**
 * { runtime, proxy } PIDs of the workerd processes of the `wrangler dev` serving `port`, among
 * this process's descendants: the proxy listens on the port, the runtime is its sibling.
 */
export function workerdOf(port) {
  const workerds = [];
  for (const pid of descendants(process.pid)) {
    try {
      const args = cmdline(pid);
      if (args[0]?.endsWith("/workerd")) workerds.push({ pid, args, parent: parentOf(pid) });
    } catch {
      // ended meanwhile
    }
  }
  const proxy = workerds.find((w) => w.args.includes(`--socket-addr=entry=127.0.0.1:${port}`));
  const runtime = workerds.find((w) => w !== proxy && w.parent === proxy?.parent);
  if (!proxy || !runtime) throw new Error(`cannot find the workerd processes serving port ${port}`);
  return { runtime: runtime.pid, proxy: proxy.pid };
}

/** workerdOf(port), waiting up to `timeoutMs` for a runtime that wrangler dev is (re)starting. */
export async function waitForWorkerd(port, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return workerdOf(port);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** { hwm, rss } in bytes (VmHWM is the peak resident set since start or the last reset). */
export function memoryOf(pid) {
  const status = proc(pid, "status");
  const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1]) * 1024;
  return { hwm: kb("VmHWM"), rss: kb("VmRSS") };
}

/** Resets VmHWM to the current RSS (clear_refs "5"). Returns false where the kernel refuses. */
export function resetPeak(pid) {
  assertSame({ pid });
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/** Peak and current memory of both workerd processes. */
export function snapshot(pids) {
  const out = {};
  for (const [role, pid] of Object.entries(pids)) if (pid) out[role] = memoryOf(pid);
  return out;
}

/** CPU seconds (user + system) used so far by the given processes. Linux clock ticks are 1/100 s. */
export function cpuSeconds(pids) {
  let ticks = 0;
  for (const pid of pids) {
    const stat = proc(pid, "stat");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  }
  return ticks / 100;
}
