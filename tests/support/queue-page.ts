// Steps on the PWA's upload and queue screens shared by the queue browser tests: confirm a study,
// and read the queue as the app keeps it in IndexedDB (jobs and receipts), without opening a
// database the app has not created yet. Page code runs as strings (no DOM library in tests).
import type { Page } from "playwright-core";
import { z } from "zod";

/** Picks the files on the upload screen and confirms the study (online or not). */
export async function confirmStudy(page: Page, files: string[], impression?: string) {
  await page.getByTestId("upload-study").click();
  await page.getByTestId("file-input").setInputFiles(files);
  const send = page.getByTestId("send");
  const choice = page.getByTestId("study-choice").first();
  await send.or(choice).first().waitFor({ timeout: 60_000 });
  if (await choice.isVisible()) await choice.click();
  if (impression !== undefined) await page.getByTestId("impression").fill(impression);
  await send.click();
  await page.getByTestId("confirm-send").click();
}

const QueuedJob = z.object({
  id: z.string(),
  state: z.string(),
  session: z.object({ sessionId: z.string() }).nullable(),
  attention: z.object({ code: z.string(), message: z.string(), action: z.string() }).nullable(),
  wait: z.object({ reason: z.string() }).nullable(),
  server: z.object({ state: z.string(), message: z.string() }).nullable(),
});
const StoredReceipt = z.object({ key: z.number(), ref: z.string(), outcome: z.string() });
export const QueueSnapshot = z.object({
  jobs: z.array(QueuedJob),
  receipts: z.array(StoredReceipt),
});
export type QueueSnapshot = z.infer<typeof QueueSnapshot>;

/** The queue's jobs and receipts (oldest receipt first) as IndexedDB holds them now. */
export async function queueSnapshot(page: Page): Promise<QueueSnapshot> {
  const raw: unknown = await page.evaluate(`(async () => {
    const names = (await indexedDB.databases()).map((d) => d.name);
    if (!names.includes("relaypacs-queue")) return { jobs: [], receipts: [] };
    const db = await new Promise((resolve, reject) => {
      const request = indexedDB.open("relaypacs-queue");
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const read = (store, what) => new Promise((resolve, reject) => {
      const request = db.transaction(store).objectStore(store)[what]();
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const jobs = await read("jobs", "getAll");
    const keys = await read("receipts", "getAllKeys");
    const receipts = await read("receipts", "getAll");
    db.close();
    return {
      jobs: jobs.map((j) => ({ id: j.id, state: j.state, attention: j.attention ?? null,
        session: j.session ? { sessionId: j.session.sessionId } : null,
        wait: j.wait ? { reason: j.wait.reason } : null,
        server: j.server ? { state: j.server.state, message: j.server.message } : null })),
      receipts: receipts.map((r, i) => ({ key: keys[i], ref: r.ref, outcome: r.outcome })),
    };
  })()`);
  return QueueSnapshot.parse(raw);
}

/**
 * Replaces the upload token of the job's session in IndexedDB (its stored expiry untouched, so
 * the app trusts it and only the server can tell). Returns the session id, or null when the job
 * has no session yet.
 */
export async function replaceUploadToken(
  page: Page,
  jobId: string,
  forge: (token: string) => Promise<string>,
): Promise<string | null> {
  const current: unknown = await page.evaluate(`(async () => {
    const db = await new Promise((resolve, reject) => {
      const request = indexedDB.open("relaypacs-queue");
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const job = await new Promise((resolve, reject) => {
      const request = db.transaction("jobs").objectStore("jobs").get(${JSON.stringify(jobId)});
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    db.close();
    return job && job.session ? job.session.uploadToken : null;
  })()`);
  const token = z.string().nullable().parse(current);
  if (token === null) return null;
  const forged = await forge(token);
  const sessionId: unknown = await page.evaluate(`(async () => {
    const db = await new Promise((resolve, reject) => {
      const request = indexedDB.open("relaypacs-queue");
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const tx = db.transaction("jobs", "readwrite");
    const store = tx.objectStore("jobs");
    const id = await new Promise((resolve, reject) => {
      const request = store.get(${JSON.stringify(jobId)});
      request.onsuccess = () => {
        const job = request.result;
        if (!job || !job.session) return resolve(null);
        job.session.uploadToken = ${JSON.stringify(forged)};
        store.put(job);
        resolve(job.session.sessionId);
      };
      request.onerror = () => reject(request.error);
    });
    await new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = () => reject(tx.error); });
    db.close();
    return id;
  })()`);
  return z.string().nullable().parse(sessionId);
}

/**
 * Removes every job and its files from the queue's IndexedDB, as a test's clean-up only: a job
 * stuck in "sent" has no cancel button, and a later test must not wait behind it.
 */
export async function dropQueuedJobs(page: Page): Promise<number> {
  const dropped: unknown = await page.evaluate(`(async () => {
    const names = (await indexedDB.databases()).map((d) => d.name);
    if (!names.includes("relaypacs-queue")) return 0;
    const db = await new Promise((resolve, reject) => {
      const request = indexedDB.open("relaypacs-queue");
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const tx = db.transaction(["jobs", "files"], "readwrite");
    const count = await new Promise((resolve, reject) => {
      const request = tx.objectStore("jobs").count();
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    tx.objectStore("jobs").clear();
    tx.objectStore("files").clear();
    await new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = () => reject(tx.error); });
    db.close();
    return count;
  })()`);
  return z.number().parse(dropped);
}
