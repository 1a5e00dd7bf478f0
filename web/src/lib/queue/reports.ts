// Job reports: when a job settles, its receipt (counts, times, outcome, an opaque reference; no
// patient data) is reported to the server for the admin's metrics. The receipt stays marked
// "unreported" in the store until the server acknowledges it, so a report made offline is sent
// by a later run of the queue. A report the server will never take (refused as invalid, or
// naming an upload it does not know) is marked done rather than sent forever.
import type { JobReport } from "../uploader/contract";
import { ApiError } from "../uploader/api";
import type { Receipt } from "./job";
import type { RunnerDeps } from "./runner-deps";

export function reportOf(receipt: Receipt): JobReport {
  const queuedAt = Math.max(0, Math.round(receipt.queuedAt));
  return {
    ref: receipt.ref,
    sessionId: receipt.sessionId,
    outcome: receipt.outcome,
    queuedAt,
    // A device clock that went backwards must not make the report invalid.
    settledAt: Math.max(queuedAt, Math.round(receipt.finishedAt)),
    queuedOffline: receipt.queuedOffline,
    retries: receipt.retries,
    bytesResent: receipt.bytesResent,
    files: receipt.files,
    bytes: receipt.bytes,
  };
}

/** 4xx answers that sending the same report again will not change. */
function refusedForGood(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    error.status >= 400 &&
    error.status < 500 &&
    ![401, 403, 408, 429].includes(error.status)
  );
}

/** Sends every unreported receipt; resolves true when none is left. Never throws. */
export async function sendReports(deps: Pick<RunnerDeps, "store" | "api" | "getAccessToken">) {
  const pending = await deps.store.unreported();
  if (pending.length === 0) return true;
  const token = await deps.getAccessToken().catch(() => null);
  if (token === null) return false;
  for (const { key, receipt } of pending) {
    try {
      await deps.api.reportJob(token, reportOf(receipt));
    } catch (error) {
      if (!refusedForGood(error)) return false;
      // The error's code only: never the report (it is harmless, but the rule is simple).
      console.warn("queue: a job report was refused", error instanceof ApiError ? error.code : "");
    }
    await deps.store.markReported(key);
  }
  return true;
}
