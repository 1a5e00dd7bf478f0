// From the server's answer to what the queue keeps: the screen's view of a session, the files the
// PACS refused, and the receipt that replaces a job once it is over. Pure. A receipt holds counts,
// times and an opaque reference: no names, no patient data, no notes, no file names.
import type { SessionStatus } from "../uploader/contract";
import {
  jobBytes,
  type FailedFile,
  type Job,
  type Receipt,
  type ReceiptOutcome,
  type ServerView,
} from "./job";

/** Files the PACS or the relay did not take. Retryable: the PACS refused or never confirmed it. */
export function failedFiles(status: SessionStatus): FailedFile[] {
  const terminal = ["delivered", "partially_delivered", "failed"].includes(status.state);
  return status.files.flatMap((file): FailedFile[] => {
    if (file.verdict && !file.verdict.accepted) {
      return [{ index: file.index, message: file.verdict.message, retryable: false }];
    }
    const outcome = file.outcome;
    if (outcome?.status === "failed" || (terminal && (!outcome || outcome.status === "pending"))) {
      const message = outcome?.message ?? "The PACS did not say it received this file.";
      return [{ index: file.index, message, retryable: true }];
    }
    return [];
  });
}

export function serverView(status: SessionStatus): ServerView {
  const failed = failedFiles(status);
  return {
    state: status.state,
    message: status.message,
    files: status.counts.files,
    accepted: status.counts.accepted,
    stored: status.counts.stored,
    confirmed: status.files.filter((f) => f.outcome?.confirmed === true).length,
    failed:
      status.state === "delivered"
        ? status.counts.failed
        : Math.max(status.counts.failed, failed.length),
    failedFiles: status.state === "delivered" ? [] : failed,
  };
}

export function receiptFor(job: Job, outcome: ReceiptOutcome, now: number): Receipt {
  const view = job.server;
  return {
    ref: job.session?.sessionId ?? job.id,
    outcome,
    files: job.files.length,
    bytes: jobBytes(job),
    stored: view?.stored ?? 0,
    confirmed: view?.confirmed ?? 0,
    failed: view?.failed ?? 0,
    queuedAt: job.stats.queuedAt,
    sentAt: job.stats.sentAt,
    finishedAt: now,
    retries: job.stats.retries,
    bytesResent: job.stats.bytesResent,
    sessionId: job.session?.sessionId ?? null,
    queuedOffline: job.stats.queuedOffline,
    reported: false,
  };
}

/** The receipt's outcome for a job that ends now (dismissed, or delivered). */
export function outcomeOf(job: Job): ReceiptOutcome {
  switch (job.server?.state) {
    case "delivered":
    case "partially_delivered":
    case "failed":
    case "expired":
      return job.server.state;
    default:
      return "failed";
  }
}
