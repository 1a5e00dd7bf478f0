// `npm run chaos` (scripts/chaos.mjs bundles and runs this): parses the options, runs the fault
// matrix, prints one line per scenario and the table, and exits 1 if anything was lost,
// duplicated, altered or left behind (R2 objects, patient data in IndexedDB).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { FAULT_KINDS, type FaultKind } from "./faults";
import { failed, formatReport, runChaos } from "./harness";

const { values } = parseArgs({
  options: {
    seed: { type: "string" },
    faults: { type: "string", default: "200" },
    minutes: { type: "string", default: "15" },
    scenarios: { type: "string" },
    from: { type: "string" },
    kinds: { type: "string" },
    rate: { type: "string", default: "1500000" },
    "keep-state": { type: "boolean", default: false },
  },
});

const int = (name: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) {
    console.error(`--${name} takes a whole number, not "${value}"`);
    process.exit(2);
  }
  return n;
};
const kinds = values.kinds?.split(",").map((k) => k.trim());
const unknown = kinds?.filter((k) => !(FAULT_KINDS as readonly string[]).includes(k)) ?? [];
if (unknown.length > 0) {
  console.error(
    `unknown fault kind(s): ${unknown.join(", ")}; choose from ${FAULT_KINDS.join(", ")}`,
  );
  process.exit(2);
}

const root = process.env.RELAYPACS_ROOT ?? process.cwd();
const seed = int("seed", values.seed) ?? Math.floor(Math.random() * 1_000_000);
const minutes = int("minutes", values.minutes) ?? 15;
// The run keeps its own bound; this is the backstop if something hangs past it anyway.
setTimeout(
  () => {
    console.error(`chaos: still running ${minutes} min + 2 min after the start; stopping`);
    process.exit(3);
  },
  (minutes * 60 + 120) * 1000,
).unref();
const workDir = mkdtempSync(path.join(tmpdir(), "relaypacs-chaos-"));
console.log(`chaos: seed ${seed} (--seed ${seed} plans the same run again)`);
const result = await runChaos({
  seed,
  faults: int("faults", values.faults) ?? 200,
  minutes,
  ...(values.scenarios === undefined ? {} : { scenarios: int("scenarios", values.scenarios) }),
  ...(values.from === undefined ? {} : { from: int("from", values.from) }),
  ...(kinds ? { kinds: kinds as FaultKind[] } : {}),
  uploadBytesPerSecond: int("rate", values.rate) ?? 1_500_000,
  workDir,
  root,
  log: (line) => console.log(line),
});
console.log(`\n${formatReport(result)}`);
if (!values["keep-state"]) rmSync(workDir, { recursive: true, force: true });
process.exit(failed(result) ? 1 : 0);
