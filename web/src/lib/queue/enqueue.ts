// Accepting a study into the queue: check the space, then persist the files' bytes and the
// manifest before anything touches the network. Checksums are computed afterwards from the stored
// bytes by whichever runner holds the queue (ensureChecksums), so a study is safe the moment it is
// confirmed, and one closed mid-hash carries on where it stopped.
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { HASH_SLICE_BYTES, sha256OfBlob } from "../uploader/hash";
import type { Clock } from "../uploader/ports";
import { manifestName } from "../uploader/upload-session";
import { encryptBlob, encryptedSize } from "./blob-crypto";
import { JobGone } from "./failures";
import { newJob, randomId, type Job, type StudyLabel } from "./job";
import {
  QueueRefused,
  isQuotaError,
  quotaMessage,
  spaceInfo,
  spaceShortfall,
  type StoragePort,
} from "./space";
import { readPlain, type JobStore } from "./store-port";

/** What the queue needs of a picked file: a browser `File` fits. */
export interface NamedBlob extends Blob {
  readonly name: string;
}

export interface EnqueueRequest {
  files: readonly NamedBlob[];
  clinicalImpression?: string;
  label?: StudyLabel;
  ownerId: string | null;
  encrypt?: boolean;
  /** The device had no network when the study was confirmed. */
  queuedOffline?: boolean;
}

export interface EnqueueDeps {
  store: JobStore;
  storage: StoragePort | null;
  clock: Clock;
  newId?: () => string;
  /** Encryption progress over the whole study (only when encrypting). */
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
}

/** Persists the study as a job and resolves with it, checksums computed. */
export async function enqueueStudy(request: EnqueueRequest, deps: EnqueueDeps): Promise<Job> {
  const { files, encrypt = false } = request;
  if (files.length === 0) throw new QueueRefused("Choose at least one file to send.");
  const bytes = files.reduce((sum, file) => sum + file.size, 0);
  const stored = encrypt ? files.reduce((n, f) => n + encryptedSize(f.size), 0) : bytes;
  const shortfall = spaceShortfall(await spaceInfo(deps.storage), stored);
  if (shortfall) throw new QueueRefused(shortfall);
  // Ask the browser to keep our storage; it may say no, and the job is kept either way.
  await deps.storage?.persist?.().catch(() => false);

  let hashed = 0;
  const progress = (n: number) => {
    hashed += n;
    deps.onProgress?.(hashed, bytes);
  };
  let blobs: readonly Blob[] = files;
  let checksums: (string | null)[] = files.map(() => null);
  if (encrypt) {
    // Encrypting reads every byte anyway: hash in the same pass.
    const key = await deps.store.fileKey();
    const sealed: Blob[] = [];
    checksums = [];
    for (const file of files) {
      const hasher = sha256.create();
      sealed.push(
        await encryptBlob(file, key, (segment) => {
          hasher.update(segment);
          progress(segment.length);
        }),
      );
      checksums.push(bytesToHex(hasher.digest()));
    }
    blobs = sealed;
  }

  const job = newJob({
    id: (deps.newId ?? randomId)(),
    ownerId: request.ownerId,
    files: files.map((file, index) => ({
      name: manifestName(file.name),
      size: file.size,
      sha256: checksums[index] ?? null,
    })),
    clinicalImpression: request.clinicalImpression,
    label: request.label ?? {},
    encrypted: encrypt,
    now: deps.clock.now(),
    queuedOffline: request.queuedOffline ?? false,
  });
  try {
    await deps.store.add(job, blobs);
  } catch (error) {
    if (isQuotaError(error)) throw new QueueRefused(quotaMessage(bytes));
    throw error;
  }
  return job;
}

/**
 * Computes the checksums a job still lacks from its stored bytes, saving each as it is known, so
 * a run cut short resumes at the next file. Resolves with the job, or undefined once it is gone.
 */
export async function ensureChecksums(
  store: JobStore,
  job: Job,
  onProgress?: (bytesHashed: number) => void,
): Promise<Job | undefined> {
  let current: Job | undefined = job;
  let done = 0;
  for (const [index, file] of job.files.entries()) {
    if (file.sha256 === null) {
      const base = done;
      const report = (n: number) => onProgress?.(base + n);
      const sha = job.encrypted
        ? await hashEncrypted(store, job, index, report)
        : await hashStored(store, job, index, report);
      current = await withChecksum(store, job.id, index, sha);
      if (!current) return undefined;
    }
    done += file.size;
  }
  if (current.state !== "preparing") return current;
  return store.update(job.id, (j) => ({ ...j, state: "waiting" }));
}

async function hashStored(
  store: JobStore,
  job: Job,
  index: number,
  onProgress: (n: number) => void,
): Promise<string> {
  const blob = await store.blob(job.id, index);
  if (!blob) throw new JobGone();
  return sha256OfBlob(blob, { onProgress });
}

async function hashEncrypted(
  store: JobStore,
  job: Job,
  index: number,
  onProgress: (n: number) => void,
): Promise<string> {
  const size = job.files[index]?.size ?? 0;
  const hasher = sha256.create();
  for (let offset = 0; offset < size; offset += HASH_SLICE_BYTES) {
    const end = Math.min(offset + HASH_SLICE_BYTES, size);
    hasher.update(await readPlain(store, job, index, offset, end));
    onProgress(end);
  }
  return bytesToHex(hasher.digest());
}

function withChecksum(
  store: JobStore,
  id: string,
  index: number,
  sha: string,
): Promise<Job | undefined> {
  return store.update(id, (job) => ({
    ...job,
    files: job.files.map((f, i) => (i === index && f.sha256 === null ? { ...f, sha256: sha } : f)),
  }));
}
