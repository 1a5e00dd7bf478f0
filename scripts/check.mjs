#!/usr/bin/env node
// `npm run check`: every static check, in order, continuing after a failure so one run shows
// them all: formatting, lint (type-aware, zero warnings), the worker's generated binding types
// being current, tsc, svelte-check, and a dry-run deploy bundle. Exits 1 if any failed.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const repoRoot = path.resolve(import.meta.dirname, "..");
const bin = (pkg, file) => path.join(repoRoot, "node_modules", pkg, file);

function attached(command, args, cwd = repoRoot) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd,
      stdio: "inherit",
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    });
    child.on("error", () => resolve(1));
    child.on("exit", (code) => resolve(code ?? 1));
  });
}
const node = (args, cwd) => attached(process.execPath, args, cwd);

/** Generated binding types must match wrangler.toml (`npm run types` regenerates them). */
const typesAreCurrent = () =>
  node([bin("wrangler", "bin/wrangler.js"), "types", "--check", "--strict-vars=false"]);

const steps = [
  ["format (prettier --check)", () => node([bin("prettier", "bin/prettier.cjs"), "--check", "."])],
  [
    "svelte-kit sync",
    () => node([bin("@sveltejs/kit", "svelte-kit.js"), "sync"], path.join(repoRoot, "web")),
  ],
  [
    "lint (eslint, 0 warnings)",
    () => node([bin("eslint", "bin/eslint.js"), "--max-warnings", "0", "."]),
  ],
  ["binding types current", typesAreCurrent],
  ["tsc --noEmit (worker, durable, tests)", () => node([bin("typescript", "bin/tsc"), "--noEmit"])],
  [
    "tsc --noEmit (service worker)",
    () => node([bin("typescript", "bin/tsc"), "--noEmit", "-p", "web/src/service-worker"]),
  ],
  [
    "svelte-check (web)",
    () =>
      node([
        bin("svelte-check", "bin/svelte-check"),
        "--tsconfig",
        "web/tsconfig.json",
        "--fail-on-warnings",
      ]),
  ],
  [
    "wrangler deploy --dry-run",
    async () => {
      // The bundle includes the PWA's assets: build them first on a fresh checkout.
      if (!fs.existsSync(path.join(repoRoot, "web/build/index.html"))) {
        const code = await node([bin("vite", "bin/vite.js"), "build"], path.join(repoRoot, "web"));
        if (code !== 0) return code;
      }
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "relaypacs-dryrun-"));
      return node([bin("wrangler", "bin/wrangler.js"), "deploy", "--dry-run", "--outdir", outdir]);
    },
  ],
];

const failed = [];
for (const [name, step] of steps) {
  console.log(`\n--- ${name} ---`);
  const started = Date.now();
  const code = await step();
  console.log(
    `--- ${name}: ${code === 0 ? "ok" : "FAILED"} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  if (code !== 0) failed.push(name);
}
if (failed.length > 0) {
  console.error(`\ncheck failed: ${failed.join("; ")}`);
  process.exit(1);
}
console.log("\ncheck: all passed");
