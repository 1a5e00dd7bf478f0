#!/usr/bin/env node
// `npm test`: every test tier in order (check, unit, integration against a real Orthanc, browser
// end-to-end), continuing after failures, then one summary line `tests: N passed, M failed`.
// Developers can run a subset: `npm test -- --only unit,integration`.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { buildPwa } from "./lib/dev-stack.mjs";
import { ensureNodeModules, ensureSystem } from "./lib/ensure-system.mjs";
import { startOrthanc } from "./lib/orthanc.mjs";
import { cleanUpOnSignal, selectOnly } from "./lib/runner.mjs";

const SUITES = ["check", "unit", "integration", "e2e"];
const repoRoot = path.resolve(import.meta.dirname, "..");

const { values } = parseArgs({ options: { only: { type: "string" } } });
const selected = selectOnly(values.only, SUITES, "suite");

ensureNodeModules();
ensureSystem();

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "relaypacs-test-"));
let orthanc;
cleanUpOnSignal(() => orthanc?.stop());

/** Runs a command with the console attached; resolves to its exit code (null: killed). */
function attached(command, args, env = process.env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: repoRoot, env, stdio: "inherit" });
    child.on("error", () => resolve(null));
    child.on("exit", (code) => resolve(code));
  });
}

/** One vitest project; its JSON report gives the counts. No report, or a non-zero exit with no
 *  failed test (a file that failed to load, a crash), counts as one failed test. */
async function vitest(name, config, env) {
  const report = path.join(tmp, `${name}.json`);
  fs.rmSync(report, { force: true });
  const code = await attached(
    process.execPath,
    [
      path.join(repoRoot, "node_modules/vitest/vitest.mjs"),
      "run",
      "--config",
      config,
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${report}`,
    ],
    env,
  );
  let json;
  try {
    json = JSON.parse(fs.readFileSync(report, "utf8"));
  } catch {
    return { passed: 0, failed: 1, note: `crashed (exit ${code}, no report)` };
  }
  const passed = json.numPassedTests ?? 0;
  const failed = json.numFailedTests ?? 0;
  if (code !== 0 && failed === 0) {
    return { passed, failed: 1, note: `exit ${code} with no failed test: counted as 1 failed` };
  }
  return { passed, failed };
}

const run = {
  async check() {
    const code = await attached("npm", ["run", "check"]);
    return code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };
  },
  unit: () => vitest("unit", "vitest.unit.config.ts", process.env),
  async integration() {
    try {
      orthanc = await startOrthanc({ stateDir: path.join(tmp, "orthanc") });
    } catch (error) {
      console.error(error instanceof Error ? error.message : error);
      return { passed: 0, failed: 1, note: "Orthanc did not start" };
    }
    try {
      return await vitest("integration", "vitest.integration.config.ts", {
        ...process.env,
        ORTHANC_URL: orthanc.url,
        ORTHANC_USERNAME: orthanc.username,
        ORTHANC_PASSWORD: orthanc.password,
      });
    } finally {
      await orthanc.stop();
      orthanc = undefined;
    }
  },
  async e2e() {
    try {
      await buildPwa();
    } catch (error) {
      console.error(error instanceof Error ? error.message : error);
      return { passed: 0, failed: 1, note: "the PWA build failed" };
    }
    return vitest("e2e", "vitest.e2e.config.ts", process.env);
  },
};

const results = [];
for (const name of selected) {
  console.log(`\n=== ${name} ===`);
  results.push({ name, ...(await run[name]()) });
}

console.log("");
for (const r of results) {
  const counts =
    r.name === "check"
      ? r.failed
        ? "failed"
        : "passed"
      : `${r.passed} passed, ${r.failed} failed`;
  console.log(`${`${r.name}:`.padEnd(13)} ${counts}${r.note ? ` (${r.note})` : ""}`);
}
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
if (failed === 0) fs.rmSync(tmp, { recursive: true, force: true });
else console.log(`(logs kept in ${tmp})`);
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
