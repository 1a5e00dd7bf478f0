// The queue's storage in memory, for unit tests (and a browser without IndexedDB, where the queue
// then lives only as long as the page). Copies records in and out as IndexedDB does.
import { newFileKey } from "./blob-crypto";
import { Job, Receipt } from "./job";
import type { JobStore, NewJob, UnreportedReceipt } from "./store-port";

export class MemoryJobStore implements JobStore {
  readonly #jobs = new Map<string, Job>();
  readonly #blobs = new Map<string, Blob>();
  readonly #receipts: Receipt[] = [];
  #key: Promise<CryptoKey> | null = null;

  async list(): Promise<Job[]> {
    return [...this.#jobs.values()]
      .map((job) => Job.parse(structuredClone(job)))
      .sort((a, b) => a.stats.queuedAt - b.stats.queuedAt);
  }

  async get(id: string): Promise<Job | undefined> {
    const job = this.#jobs.get(id);
    return job ? Job.parse(structuredClone(job)) : undefined;
  }

  async add(job: Job, blobs: readonly Blob[]): Promise<void> {
    if (blobs.length !== job.files.length) throw new RangeError("one blob per file");
    this.#jobs.set(job.id, Job.parse(structuredClone(job)));
    blobs.forEach((blob, index) => this.#blobs.set(`${job.id}/${index}`, blob));
  }

  async update(id: string, change: (job: Job) => Job): Promise<Job | undefined> {
    const current = await this.get(id);
    if (!current) return undefined;
    const next = Job.parse(change(current));
    this.#jobs.set(id, structuredClone(next));
    return next;
  }

  async blob(jobId: string, index: number): Promise<Blob | undefined> {
    return this.#blobs.get(`${jobId}/${index}`);
  }

  async dropFiles(jobId: string, indexes: readonly number[]): Promise<void> {
    for (const index of indexes) this.#blobs.delete(`${jobId}/${index}`);
  }

  async finish(jobId: string, receipt: Receipt, next?: NewJob): Promise<void> {
    if (next) await this.add(next.job, next.blobs);
    const job = this.#jobs.get(jobId);
    this.#jobs.delete(jobId);
    job?.files.forEach((_file, index) => this.#blobs.delete(`${jobId}/${index}`));
    this.#receipts.push(Receipt.parse(receipt));
  }

  async receipts(): Promise<Receipt[]> {
    return [...this.#receipts].reverse().map((r) => Receipt.parse(structuredClone(r)));
  }

  async unreported(): Promise<UnreportedReceipt[]> {
    return this.#receipts.flatMap((r, key) =>
      r.reported ? [] : [{ key, receipt: Receipt.parse(structuredClone(r)) }],
    );
  }

  async markReported(key: number): Promise<void> {
    const receipt = this.#receipts[key];
    if (receipt) this.#receipts[key] = { ...receipt, reported: true };
  }

  fileKey(): Promise<CryptoKey> {
    this.#key ??= newFileKey();
    return this.#key;
  }

  /** Test helper: every value kept, as one string (to look for patient data). */
  dump(): string {
    return JSON.stringify({ jobs: [...this.#jobs.values()], receipts: this.#receipts });
  }

  /** Test helper: how many file blobs are kept. */
  get blobCount(): number {
    return this.#blobs.size;
  }
}
