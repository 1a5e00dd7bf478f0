#!/usr/bin/env node
// `npm start`: the whole app on this machine (PWA + worker via `wrangler dev`, Orthanc as the
// PACS), with its state kept in .state/ so uploads, users and studies survive a restart.
// Not for production: see the README's deploy steps.
import path from "node:path";
import { buildPwa, startStack } from "./lib/dev-stack.mjs";
import { ensureNodeModules, ensureSystem } from "./lib/ensure-system.mjs";
import { startOrthanc } from "./lib/orthanc.mjs";
import { portOr } from "./lib/processes.mjs";

const APP_PORT = 8787;
const ORTHANC_PORT = 8042; // wrangler.toml's default PACS_URL; any free port when taken
const stateDir = path.resolve(import.meta.dirname, "../.state");

ensureNodeModules();
ensureSystem(["orthanc", "dicomweb"]);

console.log("Building the PWA...");
await buildPwa();

const stops = [];
let stopping = false;
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  console.log("\nStopping...");
  for (const stop of stops.reverse()) await stop().catch((e) => console.error(e));
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

try {
  const orthanc = await startOrthanc({
    stateDir: path.join(stateDir, "orthanc"),
    httpPort: await portOr(ORTHANC_PORT),
  });
  stops.push(orthanc.stop);
  const stack = await startStack({
    stateDir: path.join(stateDir, "app"),
    port: APP_PORT,
    orthanc,
    // A forward lost to a relay restart is sent again after a minute, not the default ten.
    vars: { FORWARD_WATCHDOG_SECONDS: "60" },
  });
  stops.push(stack.stop);

  console.log(`
RelayPACS is running.
  App:          http://127.0.0.1:${APP_PORT}
  Sign in as:   ${stack.login.email} / ${stack.login.password}
  Orthanc:      ${orthanc.url}/app/explorer.html  (user ${orthanc.username}, password ${orthanc.password})
  Logs:         ${stack.logFile}, ${orthanc.logFile}
Press Ctrl-C to stop.`);

  const code = await stack.exited;
  if (!stopping) {
    console.error(`wrangler dev exited unexpectedly (${code}); see ${stack.logFile}`);
    await shutdown(1);
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  await shutdown(1);
}
