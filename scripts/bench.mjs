#!/usr/bin/env node
// `npm run bench`: every performance figure the issues ask for, measured against `wrangler dev`
// and a private Orthanc on this machine, each beside a reference run in the same process: upload
// throughput vs plain R2, memory flat in study size, resume waste, forwarding vs direct STOW-RS
// (issues 3, 4); header-scan time and ZIP heap in Chromium (issue 5); goodput on a throttled link
// (issue 6).
// Prints a table and writes bench-results/latest.json. Synthetic studies only (no PHI).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createContext, fmtMB } from "./bench/context.mjs";
import { forwardPhase } from "./bench/phase-forward.mjs";
import { goodputPhase } from "./bench/phase-goodput.mjs";
import { intakePhase } from "./bench/phase-intake.mjs";
import { memoryPhase } from "./bench/phase-memory.mjs";
import { resumePhase } from "./bench/phase-resume.mjs";
import { uploadPhase } from "./bench/phase-upload.mjs";
import { summaryTables } from "./bench/report.mjs";

const PHASES = {
  upload: uploadPhase,
  memory: memoryPhase,
  resume: resumePhase,
  forward: forwardPhase,
  intake: intakePhase,
  goodput: goodputPhase,
};
const USAGE = `usage: npm run bench -- [options]
  --only LIST         phases to run, of ${Object.keys(PHASES).join(",")} (default: all)
  --scale F           multiply study sizes and counts (default 1: 1 GB upload study; 0.1 is quick)
  --chunk-sizes LIST  chunk sizes in MiB for the upload phase (default 1,4,8,16)
  --parallel N        chunk PUTs in flight at once (default 4)
  --trials N          cut-and-resume trials (default 5)
  --instances N       instances in the upload study, whose size stays as scaled (default 1000 x scale)`;
const repoRoot = path.resolve(import.meta.dirname, "..");
const resultsFile = path.join(repoRoot, "bench-results", "latest.json");
const logsDir = path.join(repoRoot, "bench-results", "logs");

function parseOptions() {
  const { values } = parseArgs({
    options: {
      only: { type: "string" },
      scale: { type: "string", default: "1" },
      "chunk-sizes": { type: "string", default: "1,4,8,16" },
      parallel: { type: "string", default: "4" },
      trials: { type: "string", default: "5" },
      instances: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const positive = (name, raw, integer) => {
    const n = Number(raw);
    if (!(n > 0) || (integer && !Number.isInteger(n)))
      throw new Error(`--${name} wants a positive ${integer ? "whole " : ""}number, got "${raw}"`);
    return n;
  };
  const only = values.only ? values.only.split(",").map((s) => s.trim()) : Object.keys(PHASES);
  const unknown = only.filter((p) => !PHASES[p]);
  if (unknown.length) throw new Error(`unknown phase ${unknown.join(", ")}\n${USAGE}`);
  const chunkSizes = values["chunk-sizes"].split(",").map((s) => positive("chunk-sizes", s));
  const bad = chunkSizes.find((cs) => cs < 0.25 || cs > 32);
  if (bad) throw new Error(`--chunk-sizes: ${bad} MiB is outside the relay's 0.25-32 MiB`);
  return {
    only,
    scale: positive("scale", values.scale),
    chunkSizes,
    parallel: positive("parallel", values.parallel, true),
    trials: positive("trials", values.trials, true),
    instances: values.instances ? positive("instances", values.instances, true) : undefined,
  };
}

/** Bytes of temp data the chosen phases need at most at once, with some headroom. */
function diskNeeded(ctx) {
  const bytes = (name) => ctx.shape(name).bytes;
  let need = 0;
  if (ctx.only.includes("upload")) need += bytes("upload") * (1 + ctx.chunkSizes.length);
  if (ctx.only.includes("memory")) need = Math.max(need, bytes("upload") * 2);
  if (ctx.only.includes("resume")) need += bytes("resume") * (1 + ctx.trials);
  if (ctx.only.includes("forward")) need += bytes("forward") * 3;
  // The intake phase: a 500 MB study and a 1 GB ZIP at scale 1, plus the PWA's own copy.
  if (ctx.only.includes("intake")) need += 1.6e9 * ctx.scale;
  return need * 1.2;
}

const ESC = String.fromCharCode(27);
const plain = (text) => text.replaceAll(new RegExp(`${ESC}\\[[0-9;]*m`, "g"), "");

function machine() {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryMB: Math.round(os.totalmem() / 1e6),
    loadAverage: os.loadavg().map((n) => Number(n.toFixed(2))),
    node: process.version,
  };
}

async function writeResults(results) {
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  let text = JSON.stringify(results, null, 2) + "\n";
  try {
    // Formatted as the repo's prettier would, so `prettier --check .` stays quiet about it.
    const prettier = await import("prettier");
    text = await prettier.format(text, { parser: "json", printWidth: 100 });
  } catch {
    // prettier missing: plain JSON is still JSON
  }
  fs.writeFileSync(resultsFile, text);
}

/** Prints the tables of the phases measured so far and writes them to bench-results/. */
async function finish(results, ctx, interrupted) {
  results.finishedAt = new Date().toISOString();
  if (interrupted) results.interrupted = interrupted;
  results.wranglerReloads = ctx.reloads;
  results.machine.loadAverageAtEnd = os.loadavg().map((n) => Number(n.toFixed(2)));
  console.log(`\n${summaryTables(results)}`);
  await writeResults(results);
  console.log(`\nWrote ${path.relative(repoRoot, resultsFile)}`);
}

async function main() {
  const options = parseOptions();
  const ctx = createContext(options);
  const results = {
    startedAt: new Date().toISOString(),
    machine: machine(),
    options,
    phases: {},
  };
  let stopping = false;
  const stop = async (signal) => {
    if (stopping) return;
    stopping = true;
    console.error(`\n${signal}: stopping what the benchmark started and removing ${ctx.tmp}...`);
    await ctx.cleanup();
    if (Object.keys(results.phases).length > 0) {
      await finish(results, ctx, `interrupted by ${signal}`);
    }
    process.exit(130);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("exit", () => ctx.removeTmpSync());

  const free = fs.statfsSync(ctx.tmp);
  const available = free.bavail * free.bsize;
  if (available < diskNeeded(ctx)) {
    await ctx.cleanup();
    throw new Error(
      `${ctx.tmp} has ${fmtMB(available)} MB free; these phases need about ${fmtMB(diskNeeded(ctx))} MB. Use --scale or --only.`,
    );
  }

  console.log(
    `RelayPACS bench: ${options.only.join(", ")} at scale ${options.scale}, ${options.parallel} PUTs in flight; ${results.machine.cpus} CPUs, load ${results.machine.loadAverage.join(" ")}; temp ${ctx.tmp}`,
  );
  let failed = false;
  try {
    for (const name of options.only) {
      console.log(`\n== ${name}`);
      const started = performance.now();
      try {
        results.phases[name] = await PHASES[name](ctx);
      } catch (error) {
        failed = true;
        // Error texts may quote wrangler's coloured log: keep them plain.
        const message = plain(error instanceof Error ? error.message : String(error));
        results.phases[name] = { error: message };
        console.error(`  ${name} failed: ${message}`);
      }
      results.phases[name].seconds = Math.round((performance.now() - started) / 1000);
      // Studies are large: drop each once no later phase needs it.
      const later = options.only.slice(options.only.indexOf(name) + 1);
      if (!later.some((p) => p === "upload" || p === "memory")) ctx.dropStudy("upload");
      if (!later.includes("resume")) ctx.dropStudy("resume");
    }
  } finally {
    await ctx.cleanup(failed ? logsDir : undefined);
  }
  await finish(results, ctx);
  if (failed)
    console.log(`The logs of the stacks it ran are in ${path.relative(repoRoot, logsDir)}/`);
  if (failed) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
