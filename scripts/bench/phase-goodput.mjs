// Goodput phase (issue 6): the offline queue uploading through Chromium's own network emulation at
// 1 Mbit/s with 300 ms latency. The measuring is the browser test that also checks the chunk size
// adapts (tests/e2e/offline-network.test.ts, "throttled"): it prints the bytes, the seconds and
// the share of the link rate; this phase runs that one test and reads the figures it printed.
import { spawn } from "node:child_process";
import path from "node:path";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const ESC = String.fromCharCode(27);
/** vitest colours numbers in console output: drop the colour codes before reading them. */
const plain = (text) => text.replaceAll(new RegExp(`${ESC}\\[[0-9;]*m`, "g"), "");
const LINE = /goodput: (\d+) bytes in ([\d.]+) s = ([\d.]+)% of 1 Mbit\/s/;

export async function goodputPhase(ctx) {
  const args = [
    path.join(repoRoot, "node_modules/vitest/vitest.mjs"),
    "run",
    "--config",
    "vitest.e2e.config.ts",
    "tests/e2e/offline-network.test.ts",
    "-t",
    "throttled",
  ];
  let output = "";
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
    });
    ctx.onStop?.(() => child.kill("SIGTERM"));
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", () => resolve(1));
    child.on("exit", (c) => resolve(c ?? 1));
  });
  output = plain(output);
  const match = LINE.exec(output);
  if (!match) {
    throw new Error(
      `the throttled upload test printed no goodput (exit ${code}):\n${output.slice(-2000)}`,
    );
  }
  const sizes = /throttled: chunk sizes \[([^\]]*)\]/s.exec(output)?.[1];
  const result = {
    bytes: Number(match[1]),
    seconds: Number(match[2]),
    goodputPercent: Number(match[3]),
    targetPercent: 85,
    chunkSizes: sizes
      ? sizes
          .split(",")
          .map((s) => Number(s.replace(/[^\d]/g, "")))
          .filter(Boolean)
      : [],
    testPassed: code === 0,
  };
  ctx.log(
    `  goodput ${result.goodputPercent}% of 1 Mbit/s (${result.bytes} bytes in ${result.seconds} s)`,
  );
  return result;
}
