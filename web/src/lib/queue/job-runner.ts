// Runs one queued job as far as it can go now: checksums, a session, the missing byte ranges the
// server's status lists (so a resume never re-sends what arrived), complete, and the status polls
// until the PACS answers. Every failure ends as a stored state the screen can put into words
// (job-outcomes.ts): waiting for the network, a sign-in or the server; sent; needs attention.
import { REQUEST_BACKOFF, backoffMs } from "./backoff";
import { ChunkSizer } from "./chunk-size";
import { ensureChecksums } from "./enqueue";
import { JobGone, classify } from "./failures";
import { jobBytes } from "./job";
import {
  MOVED,
  TERMINAL,
  markSent,
  needsAttention,
  saveJob,
  settle,
  stopped,
  type RunOutcome,
} from "./job-outcomes";
import { serverView } from "./receipt";
import type { RunnerDeps } from "./runner-deps";
import { sendMissing } from "./send-missing";
import { SessionSteps } from "./session-steps";

export type { RunOutcome } from "./job-outcomes";

/** Rounds (status, send, complete) in one run before giving up on a server that keeps changing. */
const MAX_ROUNDS = 50;

class SessionExpired extends Error {}

export class JobRunner {
  readonly #deps: RunnerDeps;
  readonly #steps: SessionSteps;
  /** Resolves early when the manager is woken (back online, a new job); never rejects. */
  readonly #pause: (ms: number) => Promise<void>;
  /** The last measured rate, carried from job to job so the next one starts at the right size. */
  #rateBps: number | null = null;
  #failures = 0;

  constructor(deps: RunnerDeps, pause: (ms: number) => Promise<void>) {
    this.#deps = deps;
    this.#steps = new SessionSteps(deps);
    this.#pause = pause;
  }

  /** Sends a waiting job's missing bytes and completes it; `signal` aborts (cancel, shutdown). */
  async upload(jobId: string, signal: AbortSignal): Promise<RunOutcome> {
    const deps = this.#deps;
    this.#failures = 0;
    let sizer: ChunkSizer | null = null;
    let resets = 0;
    let resends = 0;
    try {
      let job = await saveJob(deps, jobId, (j) => ({
        ...j,
        state: j.state === "preparing" ? j.state : "uploading",
        wait: null,
      }));
      const total = jobBytes(job);
      const hashing = (bytesDone: number) =>
        deps.events.progress(jobId, {
          phase: "hashing",
          bytesDone,
          bytesTotal: total,
          rateBps: null,
        });
      job = (await ensureChecksums(deps.store, job, hashing)) ?? gone();
      for (let round = 0; round < MAX_ROUNDS; round++) {
        try {
          job = await this.#steps.ensureSession(job);
          let status = await this.#steps.status(job, signal);
          if (status.state === "receiving") {
            const bounds = job.session?.bounds ?? gone();
            sizer ??= new ChunkSizer(bounds, deps.tuning.sizer, this.#rateBps ?? undefined);
            const ctx = {
              deps,
              steps: this.#steps,
              sizer,
              signal,
              onAck: () => this.#acked(sizer),
            };
            job = await sendMissing(ctx, job, status);
            status = await this.#steps.complete(job, signal);
            if (status.state === "receiving" && ++resends > deps.tuning.maxResendRounds) {
              const message =
                "Some files kept arriving damaged. Check the connection, then try again.";
              return needsAttention(deps, jobId, {
                code: "resend_exhausted",
                message,
                action: "retry",
              });
            }
          }
          if (status.state === "expired") throw new SessionExpired();
          if (status.state === "receiving") continue;
          await markSent(deps, jobId, status);
          return MOVED;
        } catch (error) {
          const kind = error instanceof SessionExpired ? "session_gone" : classify(error);
          if (kind === "session_gone" && ++resets <= 2) {
            // Expired (or unknown to the server): a new session with the same manifest.
            job = await this.#steps.dropSession(job);
          } else if (kind === "not_receiving") {
            // Completed meanwhile (another runner): the status says what comes next.
          } else if (kind === "transient" || kind === "resync") {
            if (signal.aborted || !(await this.#backoff())) throw error;
          } else {
            throw error;
          }
        }
      }
      throw new Error("the server kept changing its answer");
    } catch (error) {
      return stopped(deps, jobId, error, signal);
    }
  }

  /** One status poll of a job the PACS is working on; settles it when the answer is final. */
  async poll(jobId: string, signal: AbortSignal): Promise<RunOutcome | "pending"> {
    const deps = this.#deps;
    const job = await deps.store.get(jobId);
    if (job?.state !== "sent") return MOVED;
    try {
      const status = await this.#steps.status(job, signal);
      if (status.state === "receiving" || status.state === "expired") {
        // Sent back for bytes, or expired before it was forwarded: the upload step takes it again.
        if (status.state === "expired") await this.#steps.dropSession(job);
        await saveJob(deps, jobId, (j) => ({ ...j, state: "waiting", server: null }));
        return MOVED;
      }
      if (!TERMINAL.has(status.state)) {
        await saveJob(deps, jobId, (j) => ({ ...j, server: serverView(status), wait: null }));
        return "pending";
      }
      await settle(deps, job, status);
      return MOVED;
    } catch (error) {
      return stopped(deps, jobId, error, signal);
    }
  }

  #acked(sizer: ChunkSizer | null): void {
    this.#failures = 0;
    this.#rateBps = sizer?.rateBps ?? this.#rateBps;
  }

  /** Waits before the next try; false when this run has failed too often in a row. */
  async #backoff(): Promise<boolean> {
    if (this.#failures >= this.#deps.tuning.maxFailures) return false;
    await this.#pause(backoffMs(this.#failures++, this.#deps.random(), REQUEST_BACKOFF));
    return true;
  }
}

function gone(): never {
  throw new JobGone();
}
