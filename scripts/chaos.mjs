#!/usr/bin/env node
// `npm run chaos`: the fault matrix (tests/chaos/) against the real stack, a bounded seeded run.
//   npm run chaos -- --seed 7 --faults 200 --minutes 15 [--scenarios N] [--from K]
//                    [--kinds net-cut,two-tabs]
// The harness is TypeScript shared with the e2e tests: esbuild bundles it into
// node_modules/.cache, npm packages and the .mjs launchers left as imports, and Node runs it.
// Builds the PWA first (the stack serves web/build); `--no-build` skips that.
import { spawn } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { buildPwa } from "./lib/dev-stack.mjs";
import { ensureNodeModules, ensureSystem } from "./lib/ensure-system.mjs";

const repoRoot = path.resolve(import.meta.dirname, "..");
const args = process.argv.slice(2);
const skipBuild = args.includes("--no-build");
const passed = args.filter((a) => a !== "--no-build");

ensureNodeModules();
// Includes sqlite3 (reads wrangler's local R2 index) and dcmtk (dcmodify gives real files fresh
// UIDs, so every scenario is its own study in Orthanc).
ensureSystem();
const started = Date.now();
if (!skipBuild) await buildPwa();

const outfile = path.join(repoRoot, "node_modules/.cache/relaypacs-chaos/cli.mjs");
await build({
  entryPoints: [path.join(repoRoot, "tests/chaos/cli.ts")],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  logLevel: "warning",
  plugins: [
    {
      // The .mjs launchers find the repo from their own location: import them where they are.
      name: "launchers-in-place",
      setup(b) {
        b.onResolve({ filter: /\.mjs$/ }, (a) => ({
          path: pathToFileURL(path.resolve(a.resolveDir, a.path)).href,
          external: true,
        }));
      },
    },
  ],
});

const child = spawn(process.execPath, [outfile, ...passed], {
  cwd: repoRoot,
  env: { ...process.env, RELAYPACS_ROOT: repoRoot },
  stdio: "inherit",
});
const forward = (signal) => child.kill(signal);
process.on("SIGINT", forward);
process.on("SIGTERM", forward);
child.on("exit", (code, signal) => {
  console.log(`chaos: ${((Date.now() - started) / 1000).toFixed(0)} s in all (build included)`);
  process.exit(code ?? (signal ? 130 : 1));
});
