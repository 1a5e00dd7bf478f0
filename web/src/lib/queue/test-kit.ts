// Shared set-up for the queue's unit tests: a fake server, the in-memory store, a clock that never
// waits and a manager wired to them, plus files with known bytes. Test code only.
import { createApi } from "../uploader/api";
import { FakeClock, FakeServer } from "../uploader/fake-server";
import type { SessionStatus } from "../uploader/contract";
import { enqueueStudy } from "./enqueue";
import type { Job } from "./job";
import { UploadManager, memoryLock, type ManagerDeps, type RunLock } from "./manager";
import { MemoryJobStore } from "./memory-store";
import { DEFAULT_TUNING, type LiveProgress, type Tuning } from "./runner-deps";

export const PATIENT = "DOE^JANE";
export const IMPRESSION = "Query fracture, left wrist";

export function fileOf(name: string, size: number, seed = 1): File {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed * 7) & 0xff;
  return new File([bytes], name);
}

export async function bytesOf(file: Blob): Promise<Uint8Array> {
  return new Uint8Array(await file.arrayBuffer());
}

export const TEST_TUNING: Tuning = {
  ...DEFAULT_TUNING,
  sizer: { targetMs: 4_000, initialBytes: 8, capBytes: 64 },
};

export interface Kit {
  server: FakeServer;
  store: MemoryJobStore;
  clock: FakeClock;
  deps: ManagerDeps;
  manager: UploadManager;
  token: { value: string | null };
  progress: LiveProgress[];
  settled: SessionStatus[];
  /** Called after every stored change of a job (to inject faults mid-upload). */
  onChange: { hook: (jobId: string) => void | Promise<void> };
  enqueue(files: File[], options?: { encrypt?: boolean; queuedOffline?: boolean }): Promise<Job>;
  /** Another manager on the same store and lock ("a second tab"). */
  twin(): UploadManager;
}

export function kit(options: { tuning?: Partial<Tuning>; lock?: RunLock } = {}): Kit {
  const server = new FakeServer();
  server.bounds = { min: 4, max: 64, preferred: 16 };
  const store = new MemoryJobStore();
  const clock = new FakeClock();
  const token: { value: string | null } = { value: "access-token" };
  const progress: LiveProgress[] = [];
  const settled: SessionStatus[] = [];
  const onChange: Kit["onChange"] = { hook: () => undefined };
  const lock = options.lock ?? memoryLock();
  const deps: ManagerDeps = {
    store,
    api: createApi(server.transport),
    clock,
    getAccessToken: async () => token.value,
    random: () => 0.5,
    tuning: { ...TEST_TUNING, ...options.tuning },
    events: {
      progress: (_id, live) => progress.push(live),
      changed: (id) => void onChange.hook(id),
      settled: (_id, status) => settled.push(status),
    },
    lock,
    currentUser: () => "user-1",
  };
  return {
    server,
    store,
    clock,
    deps,
    manager: new UploadManager(deps),
    token,
    progress,
    settled,
    onChange,
    enqueue: (files, { encrypt = false, queuedOffline = false } = {}) =>
      enqueueStudy(
        {
          files,
          clinicalImpression: IMPRESSION,
          label: { patientName: PATIENT, modality: "CT" },
          ownerId: "user-1",
          encrypt,
          queuedOffline,
        },
        { store, storage: null, clock },
      ),
    twin: () => new UploadManager(deps),
  };
}
