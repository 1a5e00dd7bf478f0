// The queue's storage, as an interface: IndexedDB in the browser (store.ts), memory in unit tests
// (memory-store.ts). A job's metadata and its files' bytes are kept apart, so progress updates
// never rewrite the bytes; finishing a job removes both and keeps only the receipt.
import { decryptRange } from "./blob-crypto";
import { JobGone } from "./failures";
import type { Job, Receipt } from "./job";

/** A receipt and its key in the store, for marking it reported. */
export interface UnreportedReceipt {
  key: number;
  receipt: Receipt;
}

/** A job with its files' stored bytes, one Blob per file. */
export interface NewJob {
  job: Job;
  blobs: readonly Blob[];
}

export interface JobStore {
  /** Every job, oldest first. */
  list(): Promise<Job[]>;
  get(id: string): Promise<Job | undefined>;
  /** Stores a new job and its files' bytes (as stored: ciphertext when encrypted) together. */
  add(job: Job, blobs: readonly Blob[]): Promise<void>;
  /** Read-modify-write in one transaction; undefined when the job is gone (cancelled elsewhere). */
  update(id: string, change: (job: Job) => Job): Promise<Job | undefined>;
  /** One file's stored bytes, or undefined once dropped. */
  blob(jobId: string, index: number): Promise<Blob | undefined>;
  /** Deletes these files' bytes (the PACS has them, or they will never be sent). */
  dropFiles(jobId: string, indexes: readonly number[]): Promise<void>;
  /**
   * Deletes the job and all its bytes and keeps the receipt, in one transaction; `next` (a job
   * that sends some of its files again) is added in the same transaction.
   */
  finish(jobId: string, receipt: Receipt, next?: NewJob): Promise<void>;
  /** Receipts, newest first. */
  receipts(): Promise<Receipt[]>;
  /** Receipts whose job report the server has not acknowledged yet, oldest first. */
  unreported(): Promise<UnreportedReceipt[]>;
  /** The server acknowledged (or will never take) this receipt's report. */
  markReported(key: number): Promise<void>;
  /** The key that encrypts queued files, created on first use (non-extractable). */
  fileKey(): Promise<CryptoKey>;
}

/** Plaintext bytes [start, end) of one file of a job, decrypted when it is stored encrypted. */
export async function readPlain(
  store: JobStore,
  job: Job,
  index: number,
  start: number,
  end: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const blob = await store.blob(job.id, index);
  const file = job.files[index];
  if (!blob || !file) throw new JobGone();
  const raw = async (from: number, to: number) =>
    new Uint8Array(await blob.slice(from, to).arrayBuffer());
  if (!job.encrypted) return raw(start, end);
  return decryptRange(raw, await store.fileKey(), file.size, start, end);
}
