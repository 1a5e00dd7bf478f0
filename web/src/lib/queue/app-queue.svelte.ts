// The page's queue, as runes: the jobs and receipts in IndexedDB, live progress, online state and
// space, and the actions of the queue screen. It owns the page's UploadManager (XHR transport,
// Web Lock, timer, triggers) and listens to the service worker and other tabs through the
// BroadcastChannel. `start()` once at launch; every screen reads the same instance.
import { auth } from "../auth.svelte";
import { createApi } from "../uploader/api";
import type { SessionStatus } from "../uploader/contract";
import { systemClock } from "../uploader/ports";
import { accessTokenPort } from "./access-token";
import { cancelJob, dismissJob, retryFailedFiles, retryJob } from "./actions";
import { openChannel, requestBackgroundSync, type Channel } from "./bridge";
import { enqueueStudy, type EnqueueRequest } from "./enqueue";
import type { Job, Receipt } from "./job";
import { UploadManager, webLock } from "./manager";
import { MemoryJobStore } from "./memory-store";
import { installPageTriggers } from "./page-triggers";
import { encryptQueuedFiles } from "./policy";
import { DEFAULT_TUNING, type LiveProgress } from "./runner-deps";
import { browserStorage, spaceInfo, type SpaceInfo } from "./space";
import { IdbJobStore } from "./store";
import type { JobStore } from "./store-port";
import { xhrTransport } from "./xhr-transport";

type Settled = (status: SessionStatus) => void;

/** How a job the upload screen waits for came out. `status`: the PACS's full answer, if heard here. */
export type Settlement =
  | { kind: "finished"; status: SessionStatus | null; receipt: Receipt | null }
  | { kind: "attention"; job: Job; status: SessionStatus | null };

/** How often "about 2 min left" and "still uploading?" are looked at again. */
const TICK_MS = 5_000;

class AppQueue {
  jobs = $state.raw<readonly Job[]>([]);
  receipts = $state.raw<readonly Receipt[]>([]);
  live = $state.raw<Readonly<Record<string, LiveProgress>>>({});
  online = $state(true);
  space = $state.raw<SpaceInfo | null>(null);
  now = $state(Date.now());
  /** False until the store has been read once. */
  loaded = $state(false);

  /** Offline, or the last try found no network. */
  readonly offline = $derived(!this.online || this.jobs.some((j) => j.wait?.reason === "network"));

  #store: JobStore | null = null;
  #manager: UploadManager | null = null;
  #channel: Channel | null = null;
  #refreshing: Promise<void> | null = null;
  #dirty = false;
  readonly #settled = new Map<string, readonly Settled[]>();
  readonly #watchers = new Set<() => void>();

  /** Opens the store and starts the runner; later calls do nothing. Browser only. */
  start(): void {
    if (this.#store) return;
    const store: JobStore =
      typeof indexedDB === "undefined" ? new MemoryJobStore() : new IdbJobStore();
    this.#store = store;
    this.online = navigator.onLine;
    this.#channel = openChannel((message) => {
      if (message.type === "kick") void this.#manager?.kick();
      void this.refresh();
    });
    this.#manager = new UploadManager({
      store,
      api: createApi(xhrTransport),
      clock: systemClock,
      getAccessToken: accessTokenPort(auth),
      random: Math.random,
      tuning: DEFAULT_TUNING,
      lock: webLock(),
      currentUser: () => auth.user?.id ?? null,
      schedule: (ms, task) => {
        const timer = setTimeout(task, ms);
        return () => clearTimeout(timer);
      },
      onPending: () => void requestBackgroundSync(),
      events: {
        progress: (jobId, live) => (this.live = { ...this.live, [jobId]: live }),
        changed: () => this.#changed(),
        settled: (jobId, status) => this.#settle(jobId, status),
      },
    });
    addEventListener("online", () => (this.online = true));
    addEventListener("offline", () => (this.online = false));
    setInterval(() => (this.now = Date.now()), TICK_MS);
    installPageTriggers(() => void this.#manager?.kick());
    // A sign-in (or a new access token) may be what a waiting job needs.
    $effect.root(() => {
      $effect(() => {
        if (auth.user) void this.#manager?.kick();
      });
    });
    void this.refresh();
    void this.#readSpace();
  }

  /** Reads jobs and receipts again (coalesced: at most one read runs, one more follows). */
  refresh(): Promise<void> {
    if (this.#refreshing) {
      this.#dirty = true;
      return this.#refreshing;
    }
    const store = this.#store;
    if (!store) return Promise.resolve();
    this.#refreshing = (async () => {
      do {
        this.#dirty = false;
        const [jobs, receipts] = await Promise.all([store.list(), store.receipts()]);
        this.jobs = jobs;
        this.receipts = receipts;
        this.loaded = true;
        const ids = new Set(
          jobs.filter((j) => j.state === "uploading" || j.state === "preparing").map((j) => j.id),
        );
        if (Object.keys(this.live).some((id) => !ids.has(id))) {
          this.live = Object.fromEntries(Object.entries(this.live).filter(([id]) => ids.has(id)));
        }
      } while (this.#dirty);
      for (const watcher of [...this.#watchers]) watcher();
    })().finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  /** Persists the study (before any network) and starts the runner. Rejects with QueueRefused. */
  async enqueue(
    request: Omit<EnqueueRequest, "ownerId" | "encrypt" | "queuedOffline">,
  ): Promise<Job> {
    this.start();
    const store = this.#store ?? new MemoryJobStore();
    const job = await enqueueStudy(
      {
        ...request,
        ownerId: auth.user?.id ?? null,
        encrypt: encryptQueuedFiles(auth.clinicPolicy),
        queuedOffline: !navigator.onLine,
      },
      { store, storage: browserStorage(), clock: systemClock },
    );
    this.#changed();
    this.kick();
    void this.#readSpace();
    return job;
  }

  /** Runs the queue now (here if no one else does; everyone is told). */
  kick(): void {
    void this.#manager?.kick();
    this.#channel?.post({ type: "kick" });
  }

  async cancel(jobId: string): Promise<void> {
    this.#manager?.abortJob(jobId);
    await this.#act((store) => cancelJob(store, jobId, Date.now()));
    this.kick(); // sends the job's report
  }

  async dismiss(jobId: string): Promise<void> {
    await this.#act((store) => dismissJob(store, jobId, Date.now()));
    this.kick();
  }

  async retry(jobId: string): Promise<void> {
    await this.#act((store) => retryJob(store, jobId));
    this.kick();
  }

  async retryFailed(jobId: string): Promise<void> {
    await this.#act((store) => retryFailedFiles(store, jobId, Date.now()));
    this.kick();
  }

  /** Calls `listener` with the PACS's full answer if this page's runner settles the job. */
  onSettled(jobId: string, listener: Settled): () => void {
    this.#settled.set(jobId, [...(this.#settled.get(jobId) ?? []), listener]);
    return () => {
      const rest = (this.#settled.get(jobId) ?? []).filter((l) => l !== listener);
      if (rest.length > 0) this.#settled.set(jobId, rest);
      else this.#settled.delete(jobId);
    };
  }

  /** The job, while it is in the queue. */
  job(jobId: string): Job | undefined {
    return this.jobs.find((j) => j.id === jobId);
  }

  /** Resolves once the job is finished (a receipt) or needs attention; rejects when `signal` aborts. */
  waitFor(jobId: string, signal: AbortSignal): Promise<Settlement> {
    return new Promise<Settlement>((resolve, reject) => {
      if (signal.aborted) {
        reject(asError(signal.reason));
        return;
      }
      let status: SessionStatus | null = null;
      let last: Job | undefined;
      const end = (settlement: Settlement | null) => {
        this.#watchers.delete(check);
        stopSettled();
        signal.removeEventListener("abort", onAbort);
        if (settlement) resolve(settlement);
        else reject(asError(signal.reason));
      };
      const check = () => {
        const job = this.job(jobId);
        if (job) {
          last = job;
          if (job.state === "attention") end({ kind: "attention", job, status });
          return;
        }
        // Gone from the queue after we saw it: finished (or cancelled elsewhere).
        if (!last) return;
        const ref = last.session?.sessionId ?? jobId;
        end({
          kind: "finished",
          status,
          receipt: this.receipts.find((r) => r.ref === ref) ?? null,
        });
      };
      const stopSettled = this.onSettled(jobId, (s) => {
        status = s;
      });
      const onAbort = () => end(null);
      signal.addEventListener("abort", onAbort, { once: true });
      this.#watchers.add(check);
      check();
      void this.refresh();
    });
  }

  async #act(action: (store: JobStore) => Promise<unknown>): Promise<void> {
    if (!this.#store) return;
    await action(this.#store);
    this.#changed();
    void this.#readSpace();
  }

  #changed(): void {
    void this.refresh();
    this.#channel?.post({ type: "changed" });
  }

  #settle(jobId: string, status: SessionStatus): void {
    const listeners = this.#settled.get(jobId);
    this.#settled.delete(jobId);
    for (const listener of listeners ?? []) listener(status);
    void this.#readSpace();
  }

  async #readSpace(): Promise<void> {
    this.space = await spaceInfo(browserStorage());
  }
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new DOMException("Aborted", "AbortError");
}

export const queue = new AppQueue();
