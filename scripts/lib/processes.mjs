// Child-process plumbing shared by the Orthanc and wrangler launchers: free ports, readiness
// polling, log tails, and stopping a process (and making sure it dies with us).
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";

/** A TCP port on 127.0.0.1 that was free a moment ago (bind port 0, read it, close). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = /** @type {net.AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/** `port` if nothing listens on it, otherwise a free one. */
export function portOr(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(freePort()));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(port)));
  });
}

/** The last `lines` lines of a log file ("" when it does not exist). */
export function tail(file, lines = 30) {
  try {
    return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

/** Starts a process whose stdout and stderr go to `logFile` (replaced: one log per start). */
export function spawnLogged(command, args, { logFile, cwd, env }) {
  const fd = fs.openSync(logFile, "w");
  try {
    return spawn(command, args, { cwd, env, stdio: ["ignore", fd, fd] });
  } finally {
    fs.closeSync(fd);
  }
}

/** Resolves when the child exits (at once if it already has). */
export function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/**
 * Polls `probe()` until it returns true. Fails early if `child` exits or `failedIf(logTail)` says
 * so, and after `timeoutMs`; each error carries `what` and the log tail so the reader sees why.
 */
export async function waitUntil(probe, { child, timeoutMs, what, logFile, failedIf }) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const how = child.exitCode ?? child.signalCode;
      throw new Error(`${what} exited early (${how}). Last lines of ${logFile}:\n${tail(logFile)}`);
    }
    if (failedIf?.(tail(logFile, 200))) {
      throw new Error(`${what} failed. Last lines of ${logFile}:\n${tail(logFile)}`);
    }
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `${what} was not ready after ${timeoutMs / 1000} s. Last lines of ${logFile}:\n${tail(logFile)}`,
  );
}

/** PIDs of every live descendant of `pid` (Linux /proc; [] elsewhere). */
export function descendants(pid) {
  let entries;
  try {
    entries = fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  const parentOf = new Map();
  for (const e of entries) {
    try {
      // Field 4 of /proc/PID/stat is the parent PID; the command (field 2) may contain spaces.
      const stat = fs.readFileSync(`/proc/${e}/stat`, "utf8");
      parentOf.set(Number(e), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // The process ended while we were reading.
    }
  }
  const found = [];
  const frontier = [pid];
  while (frontier.length > 0) {
    const p = frontier.pop();
    for (const [child, parent] of parentOf) {
      if (parent === p) {
        found.push(child);
        frontier.push(child);
      }
    }
  }
  return found;
}

/** Whether `pid` runs (a zombie, exited but not yet reaped, counts as gone). */
export function isAlive(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    // No /proc entry: gone, or not Linux; ask the kernel.
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL. */
export async function stopChild(child, graceMs = 10_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited(child);
  clearTimeout(timer);
}

/**
 * Kills `child` when this Node process exits normally or by an uncaught error. Signals are the
 * caller's business: a script that traps SIGINT/SIGTERM should call stop() and then exit.
 * Returns the function that removes the hook.
 */
export function killOnExit(child) {
  const hook = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  };
  process.on("exit", hook);
  return () => process.off("exit", hook);
}

/**
 * Runs a command to completion, capturing its output. Rejects with the output when it fails.
 * @returns {Promise<string>} stdout
 */
export function run(command, args, { cwd, env, input } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${command} ${args.join(" ")} failed (exit ${code}):\n${err || out}`));
    });
    // A child that exits without reading its input must not crash us with EPIPE.
    child.stdin.on("error", () => undefined);
    child.stdin.end(input ?? "");
  });
}

const repoRoot = new URL("../..", import.meta.url).pathname;

/**
 * Runs the project's wrangler (not npx: a direct child, so SIGTERM reaches wrangler itself) with
 * telemetry off, from the repo root or `cwd` (a directory with its own wrangler.toml). Returns its
 * stdout.
 */
export function wrangler(args, { env, cwd = repoRoot } = {}) {
  return run(process.execPath, [WRANGLER_JS, ...args], { cwd, env: wranglerEnv(env) });
}
export const WRANGLER_JS = `${repoRoot}node_modules/wrangler/bin/wrangler.js`;
export function wranglerEnv(extra = {}) {
  return { ...process.env, WRANGLER_SEND_METRICS: "false", ...extra };
}
