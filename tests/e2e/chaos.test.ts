// A short seeded run of the fault matrix (tests/chaos; the full one is `npm run chaos`): small
// studies through Chromium, wrangler dev and Orthanc with faults struck at seeded moments. Every
// study ends delivered byte-identical or explained on the queue screen; nothing lost, doubled or
// altered, no R2 object of a delivered session and no patient data in IndexedDB left behind; and
// every fault kind was really injected at least once (the run goes on until each one was).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FAULT_KINDS } from "../chaos/faults";
import { formatReport, runChaos } from "../chaos/harness";

const workDir = mkdtempSync(path.join(tmpdir(), "rp-chaos-"));

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe("the fault matrix, a short seeded run", () => {
  it("seed 1: every kind of fault, nothing lost, doubled or left behind", async () => {
    const report = await runChaos({
      seed: 1,
      faults: 8,
      untilEveryKind: true,
      minutes: 6,
      workDir,
      root: path.resolve(import.meta.dirname, "../.."),
      log: (line) => console.log(line),
    });
    console.log(formatReport(report));

    for (const kind of FAULT_KINDS) expect(report.injected[kind], kind).toBeGreaterThan(0);
    expect(report.scenarios.length).toBe(report.delivered + report.explained);
    expect(report.lost).toBe(0);
    expect(report.duplicated).toBe(0);
    expect(report.altered).toBe(0);
    expect(report.r2Leftovers).toBe(0);
    expect(report.phiLeftovers).toBe(0);
  }, 420_000);
});
