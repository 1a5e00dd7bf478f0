// Starts the R2 reference worker (reference-worker.js) with its own `wrangler dev` and local R2
// persisted under `stateDir`, like dev-stack.mjs does for the app; stop() takes workerd down too.
import path from "node:path";
import {
  WRANGLER_JS,
  descendants,
  freePort,
  isAlive,
  killOnExit,
  spawnLogged,
  stopChild,
  waitUntil,
  wranglerEnv,
} from "../lib/processes.mjs";

const CONFIG = path.join(import.meta.dirname, "reference.wrangler.toml");

export async function startReference({ stateDir }) {
  const port = await freePort();
  const args = [
    WRANGLER_JS,
    "dev",
    "--config",
    CONFIG,
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
  ];
  const inspectorPort = await freePort();
  args.push("--inspector-port", String(inspectorPort));
  args.push("--persist-to", path.join(stateDir, "wrangler"));
  args.push("--show-interactive-dev-session=false");
  const logFile = path.join(stateDir, "wrangler.log");
  const child = spawnLogged(process.execPath, args, {
    logFile,
    cwd: path.dirname(CONFIG),
    env: wranglerEnv({ WRANGLER_LOG_PATH: path.join(stateDir, "wrangler-logs") }),
  });
  const unhook = killOnExit(child);
  const stop = async () => {
    const tree = child.pid === undefined ? [] : descendants(child.pid);
    await stopChild(child);
    unhook();
    const deadline = Date.now() + 5000;
    while (tree.some(isAlive) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    for (const pid of tree.filter(isAlive)) process.kill(pid, "SIGKILL");
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(
      async () => (await fetch(url, { signal: AbortSignal.timeout(3000) })).status === 200,
      { child, timeoutMs: 90_000, what: `the R2 reference worker on port ${port}`, logFile },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port, inspectorPort, stop };
}
