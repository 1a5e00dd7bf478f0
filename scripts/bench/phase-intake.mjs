// Intake phase (issue 5): header-scan time of a generated 1,000-file, ~500 MB study and the peak
// JS heap while a 1 GB ZIP is unpacked and scanned, both in headless Chromium against the built
// PWA. The measuring is web/scripts/bench-intake.mjs (also runnable alone); this phase runs it in
// its own process, scaled, and keeps its JSON.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const repoRoot = path.resolve(import.meta.dirname, "../..");

export async function intakePhase(ctx) {
  const json = path.join(ctx.tmp, "intake.json");
  const files = Math.max(10, Math.round(1000 * ctx.scale));
  const args = [
    path.join(repoRoot, "web/scripts/bench-intake.mjs"),
    "--files",
    String(files),
    "--study-mb",
    String(Math.max(5, Math.round(500 * ctx.scale))),
    "--zip-mb",
    String(Math.max(10, Math.round(1024 * ctx.scale))),
    "--zip-files",
    String(files),
    "--json",
    json,
  ];
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: "inherit" });
    ctx.onStop?.(() => child.kill("SIGTERM"));
    child.on("error", () => resolve(1));
    child.on("exit", (c) => resolve(c ?? 1));
  });
  if (code !== 0 || !fs.existsSync(json)) throw new Error(`the intake benchmark exited ${code}`);
  return JSON.parse(fs.readFileSync(json, "utf8"));
}
