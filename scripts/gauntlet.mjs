#!/usr/bin/env node
// `npm run gauntlet`: the bad-input gauntlet (issue 8). Runs its two runners, each printing its
// table: the protocol and forward cases inside workerd against a private Orthanc, then the intake
// cases in Chromium against the real stack (wrangler dev + Orthanc, the PWA built first).
// `npm run gauntlet -- --only integration` (or e2e) runs one of them.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { buildPwa } from "./lib/dev-stack.mjs";
import { ensureNodeModules, ensureSystem } from "./lib/ensure-system.mjs";
import { startOrthanc } from "./lib/orthanc.mjs";
import { cleanUpOnSignal, selectOnly } from "./lib/runner.mjs";

const RUNNERS = {
  integration: {
    config: "vitest.integration.config.ts",
    file: "tests/integration/gauntlet.test.ts",
  },
  e2e: { config: "vitest.e2e.config.ts", file: "tests/e2e/gauntlet.test.ts" },
};
const repoRoot = path.resolve(import.meta.dirname, "..");

const { values } = parseArgs({ options: { only: { type: "string" } } });
const selected = selectOnly(values.only, Object.keys(RUNNERS), "runner");

ensureNodeModules();
ensureSystem();

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "relaypacs-gauntlet-"));
let orthanc;
cleanUpOnSignal(() => orthanc?.stop());

/** One runner through vitest; its JSON report gives the counts (no report: one failure). */
function vitest(name, env) {
  const { config, file } = RUNNERS[name];
  const report = path.join(tmp, `${name}.json`);
  const args = [
    path.join(repoRoot, "node_modules/vitest/vitest.mjs"),
    "run",
    "--config",
    config,
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${report}`,
    file,
  ];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: "inherit" });
    child.on("error", () => resolve({ passed: 0, failed: 1 }));
    child.on("exit", (code) => {
      try {
        const json = JSON.parse(fs.readFileSync(report, "utf8"));
        const failed = json.numFailedTests ?? 0;
        resolve({ passed: json.numPassedTests ?? 0, failed: code !== 0 && !failed ? 1 : failed });
      } catch {
        resolve({ passed: 0, failed: 1 });
      }
    });
  });
}

const run = {
  async integration() {
    orthanc = await startOrthanc({ stateDir: path.join(tmp, "orthanc") });
    try {
      return await vitest("integration", {
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
    await buildPwa();
    return vitest("e2e", process.env);
  },
};

const results = [];
for (const name of selected) {
  console.log(`\n=== gauntlet: ${name} ===`);
  try {
    results.push({ name, ...(await run[name]()) });
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    results.push({ name, passed: 0, failed: 1 });
  }
}
console.log("");
for (const r of results) console.log(`gauntlet ${r.name}: ${r.passed} passed, ${r.failed} failed`);
const failed = results.reduce((n, r) => n + r.failed, 0);
fs.rmSync(tmp, { recursive: true, force: true });
process.exit(failed > 0 ? 1 : 0);
