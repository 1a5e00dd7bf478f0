// Where a run leaves a job, as stored states the queue screen puts into words: sent to the PACS,
// settled (a receipt, or "needs attention" with what can be sent again), or waiting for the
// network, a sign-in or the server.
import { ApiError } from "../uploader/api";
import type { SessionStatus } from "../uploader/contract";
import { JobGone, NeedsSignIn, StallError, classify } from "./failures";
import type { Attention, Job, WaitReason } from "./job";
import { failedFiles, receiptFor, serverView } from "./receipt";
import type { RunnerDeps } from "./runner-deps";

export type RunOutcome = { kind: "moved" } | { kind: "wait"; reason: WaitReason };

export const MOVED: RunOutcome = { kind: "moved" };
export const TERMINAL: ReadonlySet<string> = new Set([
  "delivered",
  "partially_delivered",
  "failed",
]);
const APP_ERROR = "Something went wrong in this app while sending this study.";

/** Read-modify-write of a job that must still exist; tells the screen. */
export async function saveJob(
  deps: RunnerDeps,
  id: string,
  change: (job: Job) => Job,
): Promise<Job> {
  const saved = await deps.store.update(id, change);
  if (!saved) throw new JobGone();
  deps.events.changed(id);
  return saved;
}

export async function markSent(deps: RunnerDeps, jobId: string, status: SessionStatus) {
  const now = deps.clock.now();
  const job = await saveJob(deps, jobId, (j) => ({
    ...j,
    state: "sent",
    server: serverView(status),
    wait: null,
    stats: { ...j.stats, sentAt: j.stats.sentAt ?? now },
    live: null,
  }));
  if (TERMINAL.has(status.state)) await settle(deps, job, status);
}

/** The PACS answered. Delivered: only a receipt stays. Otherwise keep what can be sent again. */
export async function settle(deps: RunnerDeps, job: Job, status: SessionStatus): Promise<void> {
  const view = serverView(status);
  const failed = failedFiles(status);
  if (status.state === "delivered" || failed.length === 0) {
    const outcome = status.state === "delivered" ? "delivered" : "partially_delivered";
    await deps.store.finish(
      job.id,
      receiptFor({ ...job, server: view }, outcome, deps.clock.now()),
    );
  } else {
    const keep = new Set(failed.filter((f) => f.retryable).map((f) => f.index));
    const drop = job.files.map((_f, i) => i).filter((i) => !keep.has(i));
    await deps.store.dropFiles(job.id, drop);
    const action = keep.size > 0 ? "retry_failed" : "dismiss";
    await needsAttention(
      deps,
      job.id,
      { code: status.state, message: status.message, action },
      view,
    );
  }
  deps.events.changed(job.id);
  deps.events.settled(job.id, status);
}

export async function needsAttention(
  deps: RunnerDeps,
  jobId: string,
  attention: Attention,
  server?: Job["server"],
): Promise<RunOutcome> {
  await deps.store.update(jobId, (j) => ({
    ...j,
    state: "attention",
    attention,
    wait: null,
    live: null,
    ...(server ? { server } : {}),
  }));
  deps.events.changed(jobId);
  return MOVED;
}

/** Puts the failure that ended a run into a stored state. */
export async function stopped(
  deps: RunnerDeps,
  jobId: string,
  error: unknown,
  signal: AbortSignal,
): Promise<RunOutcome> {
  if (error instanceof JobGone || (signal.aborted && !(error instanceof NeedsSignIn))) return MOVED;
  const kind = classify(error);
  if (kind !== "fatal" && kind !== "not_receiving") {
    const reason: WaitReason =
      kind === "sign_in" || kind === "token" ? "sign_in" : isOffline(error) ? "network" : "server";
    const now = deps.clock.now();
    await deps.store.update(jobId, (j) => ({
      ...j,
      state: j.state === "sent" ? "sent" : "waiting",
      wait: { reason, at: now },
      // No network before it could even open a session: as good as queued offline.
      stats:
        reason === "network" && j.session === null ? { ...j.stats, queuedOffline: true } : j.stats,
    }));
    deps.events.changed(jobId);
    return { kind: "wait", reason };
  }
  if (!(error instanceof ApiError)) {
    // The error's name only: its message could quote a file name.
    console.error("queue: job failed", error instanceof Error ? error.name : typeof error);
  }
  return needsAttention(deps, jobId, {
    code: error instanceof ApiError ? error.code : "app_error",
    message: error instanceof ApiError ? error.message : APP_ERROR,
    action: "retry",
  });
}

/** A request that never got an answer (no network, a stall), as opposed to a server error. */
function isOffline(error: unknown): boolean {
  return error instanceof StallError || (error instanceof ApiError && error.status === 0);
}
