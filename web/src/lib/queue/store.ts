// The queue in IndexedDB (idb): jobs, their files' bytes as Blobs, receipts and the file key.
// Works in the page and in the service worker. Every record read back is parsed with its schema,
// never cast; one that does not parse (another app version, damage) is left alone and skipped.
import { openDB, type DBSchema, type IDBPDatabase } from "idb";
import { z } from "zod";
import { newFileKey } from "./blob-crypto";
import { Job, Receipt } from "./job";
import type { JobStore, NewJob, UnreportedReceipt } from "./store-port";

export const QUEUE_DB = "relaypacs-queue";
const VERSION = 1;
const KEY_ID = "files";
/** Receipts kept on the device; older ones are dropped (the server's audit log has them all). */
const MAX_RECEIPTS = 500;

interface QueueSchema extends DBSchema {
  jobs: { key: string; value: unknown };
  files: { key: [string, number]; value: unknown; indexes: { byJob: string } };
  receipts: { key: number; value: unknown };
  keys: { key: string; value: unknown };
}

const FileRecord = z.object({
  jobId: z.string(),
  index: z.number().int().min(0),
  blob: z.instanceof(Blob),
});

const KeyRecord = z.instanceof(CryptoKey);

function warnUnreadable(what: string): void {
  // Never the record itself: it may hold patient data.
  console.warn(`queue: skipped an unreadable ${what} record`);
}

function parsed<T>(schema: z.ZodType<T>, value: unknown, what: string): T | undefined {
  if (value === undefined) return undefined;
  const result = schema.safeParse(value);
  if (!result.success) warnUnreadable(what);
  return result.success ? result.data : undefined;
}

export class IdbJobStore implements JobStore {
  #db: Promise<IDBPDatabase<QueueSchema>> | null = null;

  #open(): Promise<IDBPDatabase<QueueSchema>> {
    this.#db ??= openDB<QueueSchema>(QUEUE_DB, VERSION, {
      upgrade(db) {
        db.createObjectStore("jobs", { keyPath: "id" });
        db.createObjectStore("files", { keyPath: ["jobId", "index"] }).createIndex(
          "byJob",
          "jobId",
        );
        db.createObjectStore("receipts", { autoIncrement: true });
        db.createObjectStore("keys");
      },
      // A newer version of the app (another tab, the new service worker) wants to upgrade.
      blocking: () => this.close(),
      terminated: () => {
        this.#db = null;
      },
    });
    return this.#db;
  }

  close(): void {
    const db = this.#db;
    this.#db = null;
    void db?.then((d) => d.close());
  }

  async list(): Promise<Job[]> {
    const values = await (await this.#open()).getAll("jobs");
    return values
      .map((value) => parsed(Job, value, "job"))
      .filter((job): job is Job => job !== undefined)
      .sort((a, b) => a.stats.queuedAt - b.stats.queuedAt);
  }

  async get(id: string): Promise<Job | undefined> {
    return parsed(Job, await (await this.#open()).get("jobs", id), "job");
  }

  async add(job: Job, blobs: readonly Blob[]): Promise<void> {
    if (blobs.length !== job.files.length) throw new RangeError("one blob per file");
    const db = await this.#open();
    const tx = db.transaction(["jobs", "files"], "readwrite", { durability: "strict" });
    await Promise.all([
      tx.objectStore("jobs").add(Job.parse(job)),
      ...blobs.map((blob, index) => tx.objectStore("files").add({ jobId: job.id, index, blob })),
      tx.done,
    ]);
  }

  async update(id: string, change: (job: Job) => Job): Promise<Job | undefined> {
    const tx = (await this.#open()).transaction("jobs", "readwrite");
    const current = parsed(Job, await tx.store.get(id), "job");
    if (!current) {
      await tx.done;
      return undefined;
    }
    const next = Job.parse(change(current));
    await Promise.all([tx.store.put(next), tx.done]);
    return next;
  }

  async blob(jobId: string, index: number): Promise<Blob | undefined> {
    const record = parsed(
      FileRecord,
      await (await this.#open()).get("files", [jobId, index]),
      "file",
    );
    return record?.blob;
  }

  async dropFiles(jobId: string, indexes: readonly number[]): Promise<void> {
    const tx = (await this.#open()).transaction("files", "readwrite", { durability: "strict" });
    await Promise.all([...indexes.map((index) => tx.store.delete([jobId, index])), tx.done]);
  }

  async finish(jobId: string, receipt: Receipt, next?: NewJob): Promise<void> {
    const db = await this.#open();
    const tx = db.transaction(["jobs", "files", "receipts"], "readwrite", { durability: "strict" });
    const [jobs, files, receipts] = [
      tx.objectStore("jobs"),
      tx.objectStore("files"),
      tx.objectStore("receipts"),
    ];
    const keys = await files.index("byJob").getAllKeys(jobId);
    const excess = (await receipts.count()) + 1 - MAX_RECEIPTS;
    const oldest = excess > 0 ? await receipts.getAllKeys(null, excess) : [];
    const added = next
      ? [
          jobs.add(Job.parse(next.job)),
          ...next.blobs.map((blob, index) => files.add({ jobId: next.job.id, index, blob })),
        ]
      : [];
    await Promise.all([
      jobs.delete(jobId),
      ...keys.map((key) => files.delete(key)),
      ...oldest.map((key) => receipts.delete(key)),
      receipts.add(Receipt.parse(receipt)),
      ...added,
      tx.done,
    ]);
  }

  async receipts(): Promise<Receipt[]> {
    const values = await (await this.#open()).getAll("receipts");
    return values
      .map((value) => parsed(Receipt, value, "receipt"))
      .filter((r): r is Receipt => r !== undefined)
      .sort((a, b) => b.finishedAt - a.finishedAt);
  }

  async unreported(): Promise<UnreportedReceipt[]> {
    const tx = (await this.#open()).transaction("receipts");
    const [keys, values] = await Promise.all([tx.store.getAllKeys(), tx.store.getAll(), tx.done]);
    return keys.flatMap((key, i) => {
      const receipt = parsed(Receipt, values[i], "receipt");
      return receipt && !receipt.reported ? [{ key, receipt }] : [];
    });
  }

  async markReported(key: number): Promise<void> {
    const tx = (await this.#open()).transaction("receipts", "readwrite");
    const receipt = parsed(Receipt, await tx.store.get(key), "receipt");
    if (receipt && !receipt.reported) await tx.store.put({ ...receipt, reported: true }, key);
    await tx.done;
  }

  async fileKey(): Promise<CryptoKey> {
    const db = await this.#open();
    const existing = parsed(KeyRecord, await db.get("keys", KEY_ID), "key");
    if (existing) return existing;
    const key = await newFileKey();
    // add, not put: if another context stored a key meanwhile, use that one.
    const tx = db.transaction("keys", "readwrite");
    const stored = parsed(KeyRecord, await tx.store.get(KEY_ID), "key");
    if (!stored) await tx.store.add(key, KEY_ID);
    await tx.done;
    return stored ?? key;
  }
}
