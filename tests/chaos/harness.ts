// The fault matrix: scenario after scenario on one reused stack, each a small study confirmed in
// Chromium with 4-5 seeded faults striking at seeded moments, each ended by a receipt or a failure
// the queue screen explains, then checked in Orthanc, R2 and IndexedDB. Bounded by a fault count,
// a scenario count and a wall-clock limit, whichever comes first. Used by scripts/chaos.mjs
// (`npm run chaos`) and by tests/e2e/chaos.test.ts (a short seeded subset).
import path from "node:path";
import type { Page } from "playwright-core";
import {
  confirmStudy,
  dropQueuedJobs,
  queueSnapshot,
  type QueueSnapshot,
} from "../support/queue-page";
import { checkOrthanc, phiLeft, r2Keys } from "./checks";
import {
  arm,
  FAULT_KINDS,
  KindDeck,
  planFaults,
  type ArmedFault,
  type FaultKind,
  type FaultOutcome,
  type PlannedFault,
  within,
} from "./faults";
import { seeded } from "./prng";
import { prepareStudy, type ChaosStudy } from "./studies";
import { gotoQueue, startWorld, type World } from "./world";

export interface ChaosOptions {
  seed: number;
  /** Stop starting scenarios once this many faults were injected. */
  faults: number;
  /** Hard bound on the whole run, set-up included. */
  minutes: number;
  /** Stop after this many scenarios (default: no limit but the others). */
  scenarios?: number;
  /** Plan the scenarios before this one (same seed, same plans) but run only from here on:
   *  replays one scenario of a long run without the ones before it. */
  from?: number;
  kinds?: readonly FaultKind[];
  /** Keep going (within the other bounds) until every kind was injected at least once. */
  untilEveryKind?: boolean;
  /** Scratch space: studies, the browser profile. */
  workDir: string;
  /** The repository: its fixtures, and the sources the stack runs (copied at the start). */
  root: string;
  /** The loopback link's upload rate (bytes/s): slow enough that a chunk can be cut midway. */
  uploadBytesPerSecond?: number;
  log?: (line: string) => void;
}

export type Verdict = "delivered" | "explained" | "lost" | "unfinished";

export interface ScenarioResult {
  index: number;
  study: string;
  files: number;
  faults: FaultOutcome[];
  verdict: Verdict;
  /** The queue screen's words for each failure it showed. */
  explanations: string[];
  duplicated: number;
  altered: number;
  phi: string[];
  /** Server sessions that ended delivered (their R2 objects must be gone). */
  deliveredSessions: string[];
  /** Sessions the PACS refused: their objects stay until the session expires (for a retry). */
  refusedSessions: string[];
  ms: number;
  /** It outlived its time limit and was given up (a fault or a component never came back). */
  hung?: boolean;
}

export interface ChaosReport {
  seed: number;
  scenarios: ScenarioResult[];
  injected: Record<FaultKind, number>;
  planned: Record<FaultKind, number>;
  midChunkCuts: number;
  delivered: number;
  /** Delivered in the end, after the queue screen explained a refusal and "retry" was pressed. */
  deliveredAfterExplained: number;
  explained: number;
  lost: number;
  unfinished: number;
  duplicated: number;
  altered: number;
  r2Leftovers: number;
  /** Objects of sessions the PACS refused, kept for "retry" until the session expires (24 h). */
  r2KeptUntilExpiry: number;
  phiLeftovers: number;
  wallMs: number;
  stoppedBy: "faults" | "scenarios" | "time" | "a hung scenario";
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Longest a scenario may take before its study counts as stuck (so: lost). */
const SCENARIO_LIMIT_MS = 150_000;
/** How long one fault may take to strike and come back (a browser restart takes a few s). */
const FAULT_LIMIT_MS = 60_000;

/** No new scenario starts with less than this left of the run's bound. */
const RUN_MARGIN_MS = 75_000;

const zeroKinds = () =>
  Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const runDeadline = started + options.minutes * 60_000;
  const log = options.log ?? (() => undefined);
  const rate = options.uploadBytesPerSecond ?? 1_500_000;
  const kinds = options.kinds ?? FAULT_KINDS;
  const rng = seeded(options.seed);
  const deck = new KindDeck(rng, kinds);
  const fixtures = path.join(options.root, "tests/fixtures/dicom");
  const world = await startWorld(options.root, options.workDir, rate);
  log(
    `stack up in ${((Date.now() - started) / 1000).toFixed(1)} s; Chromium via ${world.proxy.url}`,
  );
  const results: ScenarioResult[] = [];
  const studies: ChaosStudy[] = [];
  let stoppedBy: ChaosReport["stoppedBy"] = "time";
  try {
    for (let index = 1; ; index++) {
      const injected = results.flatMap((r) => r.faults).filter((f) => f.injected);
      const missing = kinds.filter((k) => !injected.some((f) => f.kind === k));
      if (injected.length >= options.faults && !(options.untilEveryKind && missing.length > 0)) {
        stoppedBy = "faults";
        break;
      }
      if (options.scenarios !== undefined && index > options.scenarios) {
        stoppedBy = "scenarios";
        break;
      }
      if (runDeadline - Date.now() < RUN_MARGIN_MS) break;
      const study = prepareStudy(rng, path.join(options.workDir, `s${index}`), fixtures);
      const planned = planFaults(rng, study, deck);
      if (options.from !== undefined && index < options.from) continue;
      studies.push(study);
      const deadline = Math.min(Date.now() + SCENARIO_LIMIT_MS, runDeadline - 20_000);
      // Stuck by then: lost, unless the run's own bound is what made the scenario short.
      const cutByRun = deadline < Date.now() + SCENARIO_LIMIT_MS - 5_000;
      const running = runScenario(world, index, study, planned, rate, deadline, cutByRun, log);
      // A fault that hangs (a browser that does not come back) must not hold the run past its
      // bound: the scenario is then given up as it stands.
      const result = await Promise.race([
        running,
        sleep(deadline + 45_000 - Date.now()).then((): ScenarioResult => ({
          index,
          study: study.label,
          files: study.files.length,
          faults: planned.map((p) => ({ kind: p.kind, injected: false, note: "hung" })),
          verdict: cutByRun ? "unfinished" : "lost",
          hung: true,
          explanations: [],
          duplicated: 0,
          altered: 0,
          phi: [],
          deliveredSessions: [],
          refusedSessions: [],
          ms: SCENARIO_LIMIT_MS + 45_000,
        })),
      ]);
      running.catch(() => undefined);
      results.push(result);
      log(describe(result));
      if (result.hung) {
        // Something in the stack did not come back: the scenarios after it would test nothing.
        stoppedBy = "a hung scenario";
        break;
      }
    }
    // Late effects (a delayed re-send, an object deletion still running) show up here.
    await sleep(2_000);
    const keys = r2Keys(path.join(world.stack.appDir, "wrangler"));
    let r2Leftovers = 0;
    const kept = keys.filter((k) =>
      results.some((r) => r.refusedSessions.some((s) => k.startsWith(`sessions/${s}/`))),
    ).length;
    for (const result of results) {
      const left = keys.filter((k) =>
        result.deliveredSessions.some((s) => k.startsWith(`sessions/${s}/`)),
      ).length;
      r2Leftovers += left;
      if (left > 0) log(`#${result.index}: ${left} R2 object(s) left after delivery`);
    }
    for (const [i, result] of results.entries()) {
      const again = await checkOrthanc(world.stack.orthanc, studies[i]!);
      if (again.duplicated > result.duplicated) {
        log(`#${result.index}: a copy arrived after the scenario ended`);
        result.duplicated = again.duplicated;
      }
    }
    return {
      ...report(options.seed, results, r2Leftovers, Date.now() - started, stoppedBy),
      r2KeptUntilExpiry: kept,
    };
  } finally {
    await world.stop();
  }
}

function report(
  seed: number,
  scenarios: ScenarioResult[],
  r2Leftovers: number,
  wallMs: number,
  stoppedBy: ChaosReport["stoppedBy"],
): Omit<ChaosReport, "r2KeptUntilExpiry"> {
  const injected = zeroKinds();
  const planned = zeroKinds();
  let midChunkCuts = 0;
  for (const fault of scenarios.flatMap((s) => s.faults)) {
    planned[fault.kind]++;
    if (fault.injected) injected[fault.kind]++;
    if (fault.injected && fault.note.includes("mid-chunk")) midChunkCuts++;
  }
  const count = (v: Verdict) => scenarios.filter((s) => s.verdict === v).length;
  return {
    seed,
    scenarios,
    injected,
    planned,
    midChunkCuts,
    delivered: count("delivered"),
    deliveredAfterExplained: scenarios.filter(
      (s) => s.verdict === "delivered" && s.explanations.length > 0,
    ).length,
    explained: count("explained"),
    lost: count("lost"),
    unfinished: count("unfinished"),
    duplicated: scenarios.reduce((n, s) => n + s.duplicated, 0),
    altered: scenarios.reduce((n, s) => n + s.altered, 0),
    r2Leftovers,
    phiLeftovers: scenarios.filter((s) => s.phi.length > 0).length,
    wallMs,
    stoppedBy,
  };
}

function describe(r: ScenarioResult): string {
  const faults = r.faults
    .map((f) => `${f.kind}${f.injected ? "" : " (not injected)"}${f.note ? `: ${f.note}` : ""}`)
    .join("; ");
  const extra = [
    r.duplicated ? `${r.duplicated} duplicated` : "",
    r.altered ? `${r.altered} altered` : "",
    r.phi.length ? `PHI left: ${r.phi.length}` : "",
    ...r.explanations.map((e) => `explained "${e}"`),
  ].filter(Boolean);
  return `#${r.index} ${r.study} (${r.files} files) [${faults}] -> ${r.verdict} in ${(r.ms / 1000).toFixed(1)} s${extra.length ? ` (${extra.join(", ")})` : ""}`;
}

/** The queue's state, retried while a fault has the page closed or reloading. */
async function snapshot(
  world: World,
  deadline: number,
): Promise<{ page: Page; snap: QueueSnapshot }> {
  for (;;) {
    try {
      const page = await world.app.current();
      return { page, snap: await queueSnapshot(page) };
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(300);
    }
  }
}

async function ensureOnQueue(world: World, page: Page): Promise<void> {
  if (!page.url().endsWith("/queue")) await gotoQueue(page, world.app.url);
}

/**
 * Cancels whatever is left in the queue (a stuck job) so the next scenario starts clean; a job
 * in "sent" has no cancel button, so what the screen cannot remove is dropped from IndexedDB.
 */
async function clearQueue(world: World, log: (line: string) => void): Promise<void> {
  const { page, snap } = await snapshot(world, Date.now() + 30_000);
  if (snap.jobs.length === 0) return;
  await ensureOnQueue(world, page);
  for (const card of await page.getByTestId("queue-job").all()) {
    await card
      .getByTestId("cancel-job")
      .click({ timeout: 2_000 })
      .catch(() => undefined);
    await card
      .getByTestId("confirm-cancel")
      .click({ timeout: 2_000 })
      .catch(() => undefined);
  }
  await sleep(500);
  const left = (await snapshot(world, Date.now() + 30_000)).snap.jobs.length;
  if (left > 0) {
    log(
      `  ${await dropQueuedJobs(page)} stuck job(s) dropped from IndexedDB (no cancel when sent)`,
    );
  }
}

async function runScenario(
  world: World,
  index: number,
  study: ChaosStudy,
  planned: readonly PlannedFault[],
  rate: number,
  deadline: number,
  cutByRun: boolean,
  log: (line: string) => void,
): Promise<ScenarioResult> {
  const started = Date.now();
  let jobId: string | null = null;
  let finished = false;
  // Where the scenario is, for the report if it hangs.
  let step = "clearing the queue";
  let stepAt = started;
  const at = (next: string) => {
    if (process.env.CHAOS_DEBUG && next !== step)
      log(`#${index} ${((Date.now() - stepAt) / 1000).toFixed(1)} s on ${step}`);
    if (next !== step) stepAt = Date.now();
    step = next;
  };
  const stepTimer = setInterval(() => {
    if (Date.now() > deadline + 30_000 || process.env.CHAOS_DEBUG)
      log(`#${index} still at: ${step} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }, 10_000);
  const armed: ArmedFault[] = planned.map((p) =>
    arm(p, {
      world,
      study,
      scenario: index,
      jobId: () => jobId,
      finished: () => finished,
      uploadBytesPerSecond: rate,
    }),
  );
  const firing: Promise<void>[] = [];
  const fired = new Set<ArmedFault>();
  const running = new Set<ArmedFault>();
  const fire = (fault: ArmedFault, request?: Parameters<ArmedFault["fire"]>[0]) => {
    if (fired.has(fault) || finished) return;
    fired.add(fault);
    running.add(fault);
    if (process.env.CHAOS_DEBUG)
      log(
        `#${index} fires ${fault.planned.kind} at ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
    // Bounded: a fault that never finishes (a tab on a browser being closed) must not hold the
    // scenario; it then counts as not injected.
    const task = within(fault.fire(request), FAULT_LIMIT_MS, `${fault.planned.kind} did not finish`)
      .catch(() => undefined)
      .finally(() => running.delete(fault));
    firing.push(task);
    return task;
  };
  let puts = 0;
  const onPut = (request: Parameters<ArmedFault["fire"]>[0]) => {
    puts++;
    for (const fault of armed) {
      const t = fault.planned.trigger;
      if (t.at === "put" && t.n === puts) void fire(fault, request);
    }
  };
  const onComplete = () => {
    for (const fault of armed) if (fault.planned.trigger.at === "sent") void fire(fault);
  };
  world.app.net.on("put", onPut);
  world.app.net.on("complete", onComplete);

  const explanations: string[] = [];
  let dismissed = false;
  let receiptsBefore = 0;
  const newReceipts: QueueSnapshot["receipts"] = [];
  let verdict: Verdict = "lost";
  try {
    await clearQueue(world, log);
    if (process.env.CHAOS_DEBUG) log(`#${index} plan: ${JSON.stringify(planned)}`);
    at("reading the queue");
    const first = await snapshot(world, deadline);
    receiptsBefore = Math.max(0, ...first.snap.receipts.map((r) => r.key));
    // Destination faults are in place before the study leaves; the others strike on their own.
    const setUp: Promise<void>[] = [];
    for (const fault of armed) {
      if (fault.planned.trigger.at !== "start") continue;
      const running = fire(fault);
      if (running && fault.restore) setUp.push(running);
    }
    at("setting up the destination fault");
    await Promise.all(setUp);

    at("confirming the study");
    await confirmOnPage(world, study, deadline);
    for (;;) {
      at("watching the queue");
      const { page, snap } = await snapshot(world, deadline);
      jobId = snap.jobs[0]?.id ?? jobId;
      newReceipts.splice(
        0,
        newReceipts.length,
        ...snap.receipts.filter((r) => r.key > receiptsBefore),
      );
      if (snap.jobs.length === 0 && newReceipts.length > 0) {
        verdict = "delivered";
        if (process.env.CHAOS_DEBUG) log(`#${index} receipts: ${JSON.stringify(newReceipts)}`);
        break;
      }
      const attention = snap.jobs.find((j) => j.state === "attention");
      if (attention?.attention) {
        // A failure: it must be on the screen in words, then the person acts on it.
        await ensureOnQueue(world, page);
        const card = page.locator('[data-testid="queue-job"][data-state="attention"]').first();
        const title =
          (await card
            .getByTestId("job-title")
            .textContent()
            .catch(() => "")) ?? "";
        const detail =
          (await card
            .getByTestId("job-detail")
            .textContent()
            .catch(() => "")) ?? "";
        if (title.startsWith("Needs attention") && detail.includes(attention.attention.message)) {
          explanations.push(`${attention.attention.code}: ${attention.attention.message}`);
        }
        at("acting on a failure");
        for (const fault of armed) await fault.restore?.();
        const action = explanations.length > 3 ? "dismiss" : attention.attention.action;
        const button =
          action === "retry_failed"
            ? "retry-failed"
            : action === "dismiss"
              ? "dismiss-job"
              : "retry-job";
        dismissed = button === "dismiss-job";
        await card
          .getByTestId(button)
          .click({ timeout: 5_000 })
          .catch(() => undefined);
      }
      if (Date.now() > deadline) {
        verdict = cutByRun ? "unfinished" : "lost";
        const busy = armed.filter((f) => running.has(f)).map((f) => f.planned.kind);
        log(`#${index} stuck (faults still running: ${busy.join(", ") || "none"}):`);
        log(`  ${JSON.stringify(snap.jobs)}`);
        break;
      }
      await sleep(250);
    }
  } catch (error) {
    verdict = "lost";
    log(
      `#${index} gave up at "${step}": ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`,
    );
  } finally {
    finished = true;
    world.app.net.off("put", onPut);
    world.app.net.off("complete", onComplete);
  }
  at(
    `waiting for faults: ${armed
      .filter((f) => running.has(f))
      .map((f) => f.planned.kind)
      .join(", ")}`,
  );
  await Promise.all(firing);
  at("collecting outcomes");
  const faults: FaultOutcome[] = [];
  for (const fault of armed) {
    faults.push(
      await within(fault.outcome(), 30_000, "no outcome").catch((error: unknown): FaultOutcome => ({
        kind: fault.planned.kind,
        injected: false,
        note: error instanceof Error ? error.message : String(error),
      })),
    );
  }
  at("clearing the queue after");
  if (verdict !== "delivered") await clearQueue(world, log).catch(() => undefined);

  at("checking Orthanc");
  const check = await checkOrthanc(world.stack.orthanc, study);
  if (verdict === "delivered" && (check.missing > 0 || check.altered > 0)) {
    // The queue says done: every instance not in Orthanc as sent is either explained or lost.
    verdict = dismissed && explanations.length > 0 ? "explained" : "lost";
  }
  at("looking for patient data left");
  const { page } = await snapshot(world, Date.now() + 30_000);
  const phi = verdict === "unfinished" ? [] : await phiLeft(page, study);
  at("done");
  clearInterval(stepTimer);
  return {
    index,
    study: study.label,
    files: study.files.length,
    faults,
    verdict,
    explanations,
    duplicated: check.duplicated,
    altered: check.altered,
    phi,
    deliveredSessions: newReceipts.filter((r) => r.outcome === "delivered").map((r) => r.ref),
    refusedSessions: newReceipts.filter((r) => r.outcome !== "delivered").map((r) => r.ref),
    ms: Date.now() - started,
  };
}

/** Home, Upload Study, pick the files, confirm; then the queue screen once the job is stored. */
async function confirmOnPage(world: World, study: ChaosStudy, deadline: number): Promise<void> {
  for (;;) {
    try {
      const page = await world.app.current();
      await page.goto(`${world.app.url}/`);
      await confirmStudy(page, study.files);
      // The job is in IndexedDB before any network: only then leave the upload screen.
      for (let i = 0; i < 100; i++) {
        if ((await queueSnapshot(page)).jobs.length > 0) break;
        await sleep(200);
      }
      await gotoQueue(page, world.app.url);
      return;
    } catch (error) {
      // A restart closed the page mid-way: the job may be stored already.
      const { snap } = await snapshot(world, deadline);
      if (snap.jobs.length > 0) return;
      if (Date.now() > deadline) throw error;
    }
  }
}

/** The report as the table `npm run chaos` prints. */
export function formatReport(r: ChaosReport): string {
  const injected = FAULT_KINDS.reduce((n, k) => n + r.injected[k], 0);
  const planned = FAULT_KINDS.reduce((n, k) => n + r.planned[k], 0);
  const rows: Array<[string, string]> = [
    ["seed", String(r.seed)],
    ["scenarios run", String(r.scenarios.length)],
    ["faults injected", `${injected} (of ${planned} planned)`],
    ...FAULT_KINDS.filter((k) => r.planned[k] > 0).map((k): [string, string] => [
      `  ${k}`,
      `${r.injected[k]} of ${r.planned[k]}${k === "net-cut" ? ` (${r.midChunkCuts} mid-chunk)` : ""}`,
    ]),
    [
      "studies delivered",
      `${r.delivered} (${r.deliveredAfterExplained} after an explained refusal and a retry)`,
    ],
    ["explained failures", `${r.explained} (left undelivered, explained on the queue screen)`],
    ["lost", String(r.lost)],
    ["duplicated", String(r.duplicated)],
    ["altered bytes", String(r.altered)],
    ["R2 leftovers", `${r.r2Leftovers} (after delivery)`],
    ["R2 kept for retry", `${r.r2KeptUntilExpiry} (refused sessions, until they expire)`],
    ["PHI leftovers", String(r.phiLeftovers)],
    ["unfinished (time bound)", String(r.unfinished)],
    ["wall time", `${(r.wallMs / 1000).toFixed(0)} s (stopped by ${r.stoppedBy})`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n");
}

/** Whether the run shows a broken promise: anything lost, doubled, altered or left behind. */
export function failed(r: ChaosReport): boolean {
  return r.lost + r.duplicated + r.altered + r.r2Leftovers + r.phiLeftovers > 0;
}
