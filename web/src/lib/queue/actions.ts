// What a person can do to a job from the queue screen: cancel it, dismiss a finished one, try it
// again, or send again only the files the PACS refused. Each ends in the store; the manager picks
// up from there. "Retry failed files" makes a new job (a new session) of those files: an uploader
// may not re-drive a session (that is an admin's call, and it re-sends from the server's copy,
// which is gone once the session has ended), and a new session re-checks the files from scratch.
import { newJob, randomId, type Job } from "./job";
import { outcomeOf, receiptFor } from "./receipt";
import type { JobStore } from "./store-port";

/** Removes the job and its files; keeps a "cancelled" receipt. */
export async function cancelJob(store: JobStore, jobId: string, now: number): Promise<void> {
  const job = await store.get(jobId);
  if (job) await store.finish(jobId, receiptFor(job, "cancelled", now));
}

/** The person has read the outcome: keep only the receipt. */
export async function dismissJob(store: JobStore, jobId: string, now: number): Promise<void> {
  const job = await store.get(jobId);
  if (job) await store.finish(jobId, receiptFor(job, outcomeOf(job), now));
}

/** Back to waiting, for the runner to try again. */
export async function retryJob(store: JobStore, jobId: string): Promise<void> {
  await store.update(jobId, (job) => ({ ...job, state: "waiting", attention: null, wait: null }));
}

/** A new job of the files the PACS refused (their bytes are still here); the old one ends. */
export async function retryFailedFiles(
  store: JobStore,
  jobId: string,
  now: number,
  newId: () => string = randomId,
): Promise<Job | undefined> {
  const job = await store.get(jobId);
  const failed = job?.server?.failedFiles.filter((f) => f.retryable) ?? [];
  if (!job || failed.length === 0) return undefined;
  const blobs: Blob[] = [];
  for (const f of failed) {
    const blob = await store.blob(job.id, f.index);
    if (!blob) return undefined;
    blobs.push(blob);
  }
  const next = newJob({
    id: newId(),
    ownerId: job.ownerId,
    files: failed.map((f) => job.files[f.index] ?? { name: "file", size: 0, sha256: null }),
    clinicalImpression: job.clinicalImpression,
    label: job.label,
    encrypted: job.encrypted,
    now,
  });
  await store.finish(job.id, receiptFor(job, outcomeOf(job), now), { job: next, blobs });
  return next;
}
