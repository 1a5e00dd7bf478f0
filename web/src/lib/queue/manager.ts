// The upload manager: one runner for the whole queue, in the page or the service worker alike.
// A Web Lock makes it single: whoever holds "relaypacs-queue" uploads, everyone else only shows
// (two tabs, or a tab and the service worker, never send the same job twice). A run uploads every
// job it can, then polls the jobs the PACS is working on; it ends when nothing is left, or when
// the network, a sign-in or the server makes it wait, and the timer (with backoff and jitter) or
// a trigger (launch, online, visible, Background Sync, a new job) starts the next one. Each run
// ends by sending the reports of settled jobs (reports.ts); unsent ones keep the queue waiting.
import { RUN_BACKOFF, backoffMs } from "./backoff";
import type { Job } from "./job";
import { JobRunner } from "./job-runner";
import { sendReports } from "./reports";
import type { RunnerDeps } from "./runner-deps";

export const QUEUE_LOCK = "relaypacs-queue";

/** Runs `task` only if nobody else holds the queue; resolves false when someone does. */
export interface RunLock {
  run(task: () => Promise<void>): Promise<boolean>;
}

export interface ManagerDeps extends RunnerDeps {
  lock: RunLock;
  /** Who is signed in here; jobs queued by someone else wait for them. */
  currentUser?: () => string | null;
  /** Starts a timer; absent in the service worker, which never keeps one. */
  schedule?: (ms: number, task: () => void) => () => void;
  /** A run ended with work left (e.g. register Background Sync). */
  onPending?: () => void;
}

/** What one run came to: nothing left, someone else runs the queue, or work left for later. */
export type RunResult = "idle" | "busy" | "waiting";

/** How often a tab that found the queue busy checks whether it may take over. */
const BUSY_RECHECK_MS = 15_000;

export class UploadManager {
  readonly #deps: ManagerDeps;
  readonly #runner: JobRunner;
  #running: Promise<RunResult> | null = null;
  #wake = new AbortController();
  #woken = false;
  #job: { id: string; abort: AbortController } | null = null;
  #cancelTimer: (() => void) | null = null;
  #waitRuns = 0;
  #disposed = false;

  constructor(deps: ManagerDeps) {
    this.#deps = deps;
    this.#runner = new JobRunner(deps, (ms) => this.#pause(ms));
  }

  /** Starts a run, or wakes the one in progress (its waits end at once). */
  kick(): Promise<RunResult> {
    if (this.#running) {
      this.#woken = true;
      this.#wake.abort();
      return this.#running;
    }
    this.#cancelTimer?.();
    this.#cancelTimer = null;
    this.#running = this.#run().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  /** Stops sending this job now, if this manager is sending it (the caller removes it). */
  abortJob(jobId: string): void {
    if (this.#job?.id === jobId) this.#job.abort.abort(new DOMException("Cancelled", "AbortError"));
  }

  dispose(): void {
    this.#disposed = true;
    this.#cancelTimer?.();
    this.#job?.abort.abort(new DOMException("Stopped", "AbortError"));
    this.#wake.abort();
  }

  async #run(): Promise<RunResult> {
    const drained: { result: RunResult } = { result: "busy" };
    const ran = await this.#deps.lock.run(async () => {
      drained.result = await this.#drain();
      if (this.#disposed) return;
      const reported = await sendReports(this.#deps).catch(() => false);
      if (!reported && drained.result === "idle") drained.result = "waiting";
    });
    const result = ran ? drained.result : "busy";
    if (this.#disposed) return result;
    if (result === "idle") this.#waitRuns = 0;
    if (result === "waiting") this.#deps.onPending?.();
    if (result !== "idle" && this.#deps.schedule) {
      const delay =
        result === "busy"
          ? BUSY_RECHECK_MS
          : backoffMs(this.#waitRuns++, this.#deps.random(), RUN_BACKOFF);
      this.#cancelTimer = this.#deps.schedule(delay, () => void this.kick());
    }
    return result;
  }

  /** Uploads what it can, then polls what the PACS works on; holds the lock throughout. */
  async #drain(): Promise<RunResult> {
    const skipped = new Set<string>();
    let polls = 0;
    for (;;) {
      if (this.#disposed) return "waiting";
      if (this.#woken) {
        // Something changed (online again, a new job): everything may be tried again.
        this.#woken = false;
        skipped.clear();
      }
      const jobs = (await this.#deps.store.list()).filter(
        (job) => this.#mine(job) && !skipped.has(job.id),
      );
      const next = jobs.find((j) => j.state !== "sent" && j.state !== "attention");
      if (next) {
        const outcome = await this.#withJob(next.id, (signal) =>
          this.#runner.upload(next.id, signal),
        );
        if (outcome.kind === "moved") {
          this.#waitRuns = 0;
          continue;
        }
        skipped.add(next.id);
        // Without a network no other job will do better; the timer and `online` bring us back.
        if (outcome.reason === "network") return "waiting";
        continue;
      }
      const sent = jobs.filter((j) => j.state === "sent");
      if (sent.length === 0) return skipped.size > 0 ? "waiting" : "idle";
      let pending = false;
      for (const job of sent) {
        const outcome = await this.#withJob(job.id, (signal) => this.#runner.poll(job.id, signal));
        if (outcome === "pending") pending = true;
        else if (outcome.kind === "wait") skipped.add(job.id);
      }
      if (pending) {
        if (++polls > this.#deps.tuning.maxPollRounds) return "waiting";
        await this.#pause(Math.min(1_000 * 1.5 ** (polls - 1), 10_000));
      }
    }
  }

  async #withJob<T>(id: string, task: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const abort = new AbortController();
    this.#job = { id, abort };
    try {
      return await task(abort.signal);
    } finally {
      this.#job = null;
    }
  }

  #mine(job: Job): boolean {
    const user = this.#deps.currentUser?.() ?? null;
    return job.ownerId === null || user === null || job.ownerId === user;
  }

  /** Sleeps, or less when the manager is woken (not at all when it was woken since the last). */
  async #pause(ms: number): Promise<void> {
    if (this.#wake.signal.aborted) {
      this.#wake = new AbortController();
      return;
    }
    await this.#deps.clock.sleep(ms, this.#wake.signal).catch(() => undefined);
  }
}

/** The Web Locks API where the browser has it (not in Safari before 15.4): else one per context. */
export function webLock(name = QUEUE_LOCK): RunLock {
  let held = false;
  return {
    async run(task) {
      if (typeof navigator !== "undefined" && "locks" in navigator) {
        return navigator.locks.request(name, { ifAvailable: true }, async (lock) => {
          if (!lock) return false;
          await task();
          return true;
        });
      }
      if (held) return false;
      held = true;
      try {
        await task();
        return true;
      } finally {
        held = false;
      }
    },
  };
}

/** A lock shared by managers in one process: for tests of "two tabs". */
export function memoryLock(): RunLock {
  let held = false;
  return {
    async run(task) {
      if (held) return false;
      held = true;
      try {
        await task();
        return true;
      } finally {
        held = false;
      }
    },
  };
}
