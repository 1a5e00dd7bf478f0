// Starts the whole app locally the way `npm start` and the browser tests need it: `wrangler dev`
// (worker + PWA assets + local D1/R2/DO/Queues) with its state, secrets and a signed-in-able
// development admin kept in one state directory. Orthanc is started separately (orthanc.mjs).
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import {
  WRANGLER_JS,
  descendants,
  freePort,
  isAlive,
  killOnExit,
  run,
  spawnLogged,
  stopChild,
  waitUntil,
  wrangler,
  wranglerEnv,
} from "./processes.mjs";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const READY_TIMEOUT_MS = 90_000;
const DEV_EMAIL = "dev@relaypacs.local";

/** Builds the PWA into web/build. Returns false (with a warning) while web/ has no Vite config. */
export async function buildPwa() {
  const web = path.join(repoRoot, "web");
  if (!["vite.config.ts", "vite.config.js"].some((f) => fs.existsSync(path.join(web, f)))) {
    console.warn("warning: web/ has no vite.config yet; skipping the PWA build");
    return false;
  }
  // From web/ itself: SvelteKit reads svelte.config.js from the working directory.
  await run(process.execPath, [path.join(repoRoot, "node_modules/vite/bin/vite.js"), "build"], {
    cwd: web,
  });
  return true;
}

/**
 * Writes the worker's secrets file; JWT_SECRET is generated once and kept across restarts.
 * `vars` adds variables (e.g. MAX_CHUNK_BYTES for tests that want small chunks).
 */
function writeEnvFile(stateDir, orthanc, vars = {}) {
  const file = path.join(stateDir, "dev.env");
  const previous = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  const secret =
    /^JWT_SECRET=([0-9a-f]{64})$/m.exec(previous)?.[1] ?? randomBytes(32).toString("hex");
  const lines = [`JWT_SECRET=${secret}`];
  if (orthanc) {
    lines.push(
      `PACS_URL=${orthanc.url}/dicom-web`,
      `PACS_USERNAME=${orthanc.username}`,
      `PACS_PASSWORD=${orthanc.password}`,
    );
  }
  for (const [name, value] of Object.entries(vars)) lines.push(`${name}=${value}`);
  fs.writeFileSync(file, lines.join("\n") + "\n", { mode: 0o600 });
  return file;
}

/** The development admin's credentials, created once per state directory. */
async function ensureDevLogin(stateDir, persistTo, cwd) {
  const file = path.join(stateDir, "dev-login.json");
  const saved = fs.existsSync(file);
  const login = saved
    ? JSON.parse(fs.readFileSync(file, "utf8"))
    : { email: DEV_EMAIL, password: randomBytes(12).toString("base64url") };
  const sql = `SELECT COUNT(*) AS n FROM users WHERE email = '${DEV_EMAIL}'`;
  const out = await wrangler(
    ["d1", "execute", "DB", "--local", "--persist-to", persistTo, "--json", "--command", sql],
    { cwd },
  );
  if (JSON.parse(out)[0].results[0].n > 0) {
    if (saved) return login;
    throw new Error(
      `${DEV_EMAIL} exists in ${persistTo} but ${file} is gone; delete ${persistTo} to start over`,
    );
  }
  fs.writeFileSync(file, JSON.stringify(login, null, 2) + "\n", { mode: 0o600 });
  const bootstrap = [path.join(repoRoot, "scripts/bootstrap-admin.mjs"), "--email", login.email];
  bootstrap.push("--name", "Development Admin", "--clinic", "Development Clinic");
  bootstrap.push(`--password=${login.password}`, "--local", "--persist-to", persistTo);
  await run(process.execPath, bootstrap, { cwd: repoRoot });
  return login;
}

/** Ready once the worker answers /api/health, or (before that route exists) the PWA answers /. */
async function answers(url) {
  for (const p of ["/api/health", "/"]) {
    // A worker that failed to build leaves requests hanging: give each probe its own deadline.
    const response = await fetch(url + p, {
      redirect: "manual",
      signal: AbortSignal.timeout(3000),
    });
    await response.body?.cancel();
    if (response.status === 200) return true;
  }
  return false;
}

/**
 * `restart`: this state directory was set up by an earlier start (migrations applied, login
 * created), so skip both: a restart then takes wrangler's start-up time only.
 * `sourceDir`: run the worker from this copy of the sources (its own wrangler.toml, worker/,
 * durable/, web/build) instead of the repo, so edits in the tree do not reload it mid-test.
 * @param {{ stateDir: string, port?: number, vars?: Record<string, string>, restart?: boolean,
 *   sourceDir?: string, orthanc?: { url: string, username: string, password: string } }} options
 */
export async function startStack({ stateDir, port, orthanc, vars, restart = false, sourceDir }) {
  const cwd = sourceDir ?? repoRoot;
  const dir = path.resolve(stateDir);
  fs.mkdirSync(dir, { recursive: true });
  const persistTo = path.join(dir, "wrangler");
  const envFile = writeEnvFile(dir, orthanc, vars);

  const loginFile = path.join(dir, "dev-login.json");
  let login;
  if (restart && fs.existsSync(loginFile)) {
    login = JSON.parse(fs.readFileSync(loginFile, "utf8"));
  } else {
    await wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo], {
      cwd,
    });
    login = await ensureDevLogin(dir, persistTo, cwd);
  }

  const httpPort = port ?? (await freePort());
  const args = [WRANGLER_JS, "dev", "--ip", "127.0.0.1", "--port", String(httpPort)];
  const inspectorPort = await freePort();
  args.push("--inspector-port", String(inspectorPort), "--persist-to", persistTo);
  args.push("--env-file", envFile, "--show-interactive-dev-session=false");
  const logFile = path.join(dir, "wrangler.log");
  const child = spawnLogged(process.execPath, args, {
    logFile,
    cwd,
    env: wranglerEnv({
      // --env-file is read only while this is true; an exported "false" would drop our secrets.
      CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV: "true",
      WRANGLER_LOG_PATH: path.join(dir, "wrangler-logs"),
    }),
  });
  const unhook = killOnExit(child);
  const exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));

  const stop = async () => {
    const tree = child.pid === undefined ? [] : descendants(child.pid);
    await stopChild(child);
    unhook();
    // wrangler takes workerd down with it, up to ~2 s after it exits itself; make sure, since a
    // stray workerd keeps the port and the state directory's SQLite files.
    const deadline = Date.now() + 5000;
    while (tree.some(isAlive) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const left = tree.filter(isAlive);
    for (const pid of left) process.kill(pid, "SIGKILL");
    if (left.length > 0) console.warn(`warning: killed ${left.length} process(es) wrangler left`);
  };
  const url = `http://127.0.0.1:${httpPort}`;
  try {
    await waitUntil(() => answers(url), {
      child,
      timeoutMs: READY_TIMEOUT_MS,
      what: `wrangler dev on port ${httpPort}`,
      logFile,
      // wrangler dev stays up after a failed build, waiting for an edit: no use waiting for it.
      failedIf: (log) => /Build failed/.test(log),
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, inspectorPort, login, logFile, exited, stop };
}
