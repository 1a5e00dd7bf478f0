// What the offline queue keeps about a study: the job (until the PACS has answered) and, after it,
// a receipt with no patient data. Both are zod schemas because they are read back from
// IndexedDB, a trust boundary (another version of the app may have written them).
import { z } from "zod";
import { ByteRange, ChunkBounds, SessionId, SessionState, Sha256Hex } from "../uploader/contract";

/** One file of a job. `name` is patient data (file names often carry names or ids). */
export const JobFile = z.object({
  name: z.string().min(1).max(255),
  size: z.number().int().min(0),
  /** Whole-file SHA-256, null until computed (hashing runs after the bytes are safe on disk). */
  sha256: Sha256Hex.nullable(),
  /** Byte ranges the server has acknowledged, merged and sorted. */
  received: z.array(ByteRange),
});
export type JobFile = z.infer<typeof JobFile>;

/** The server's upload session for a job. The upload token works for this one session only. */
export const JobSession = z.object({
  sessionId: SessionId,
  uploadToken: z.string(),
  tokenExpiresAt: z.number().int(),
  bounds: ChunkBounds,
  createdAt: z.number(),
});
export type JobSession = z.infer<typeof JobSession>;

/** What the queue screen shows to tell jobs apart. All patient data. */
export const StudyLabel = z.object({
  patientName: z.string().optional(),
  studyDate: z.string().optional(),
  modality: z.string().optional(),
  description: z.string().optional(),
});
export type StudyLabel = z.infer<typeof StudyLabel>;

export const AttentionAction = z.enum(["retry", "retry_failed", "sign_in", "dismiss"]);
export type AttentionAction = z.infer<typeof AttentionAction>;

/** Why a job stopped and what the person can do about it, in plain words. */
export const Attention = z.object({
  code: z.string(),
  message: z.string(),
  action: AttentionAction,
});
export type Attention = z.infer<typeof Attention>;

export const FailedFile = z.object({
  index: z.number().int().min(0),
  message: z.string(),
  /** The PACS refused it (sending again may help); false: the relay refused it (it will not). */
  retryable: z.boolean(),
});
export type FailedFile = z.infer<typeof FailedFile>;

/** The server's latest answer, reduced to what the screen needs. */
export const ServerView = z.object({
  state: SessionState,
  message: z.string(),
  files: z.number().int(),
  accepted: z.number().int(),
  stored: z.number().int(),
  confirmed: z.number().int(),
  failed: z.number().int(),
  failedFiles: z.array(FailedFile),
});
export type ServerView = z.infer<typeof ServerView>;

export const WaitReason = z.enum(["network", "sign_in", "server"]);
export type WaitReason = z.infer<typeof WaitReason>;

export const JobState = z.enum(["preparing", "waiting", "uploading", "sent", "attention"]);
export type JobState = z.infer<typeof JobState>;

export const JobStats = z.object({
  queuedAt: z.number(),
  startedAt: z.number().nullable(),
  sentAt: z.number().nullable(),
  /** Requests that failed and were tried again. */
  retries: z.number().int().min(0),
  /** Bytes put on the wire a second time (after a cut, a stall or a refused piece). */
  bytesResent: z.number().int().min(0),
  sessions: z.number().int().min(0),
  /** Queued with no network, or found none before it could open a session (for the metrics). */
  queuedOffline: z.boolean().default(false),
});
export type JobStats = z.infer<typeof JobStats>;

export const Job = z.object({
  id: z.string().min(1),
  /** The user who queued it; only they may send it. */
  ownerId: z.string().nullable(),
  state: JobState,
  files: z.array(JobFile).min(1),
  clinicalImpression: z.string().max(10_000).optional(),
  label: StudyLabel,
  /** The stored bytes are AES-GCM segments (blob-crypto.ts), not the plain file. */
  encrypted: z.boolean(),
  session: JobSession.nullable(),
  server: ServerView.nullable(),
  attention: Attention.nullable(),
  wait: z.object({ reason: WaitReason, at: z.number() }).nullable(),
  stats: JobStats,
  /** Last measured upload rate and when the runner last moved this job (for "about 2 min left"). */
  live: z.object({ rateBps: z.number().min(0), activeAt: z.number() }).nullable(),
});
export type Job = z.infer<typeof Job>;

export const ReceiptOutcome = z.enum([
  "delivered",
  "partially_delivered",
  "failed",
  "expired",
  "cancelled",
]);
export type ReceiptOutcome = z.infer<typeof ReceiptOutcome>;

/** What stays on the device after a job: no names, no ids, no notes, no file names. */
export const Receipt = z.object({
  /** Opaque: the server's session id (the admin can look it up), or a random local id. */
  ref: z.string().regex(/^[0-9a-f]{8,64}$/),
  outcome: ReceiptOutcome,
  files: z.number().int().min(0),
  bytes: z.number().int().min(0),
  stored: z.number().int().min(0),
  confirmed: z.number().int().min(0),
  failed: z.number().int().min(0),
  queuedAt: z.number(),
  sentAt: z.number().nullable(),
  finishedAt: z.number(),
  retries: z.number().int().min(0),
  bytesResent: z.number().int().min(0),
  /** The upload session, if the job opened one (an opaque id, like `ref`). */
  sessionId: SessionId.nullable().default(null),
  queuedOffline: z.boolean().default(false),
  /**
   * The server has this receipt's job report (reports.ts). Receipts written before reports
   * existed read back as reported: they are not sent late.
   */
  reported: z.boolean().default(true),
});
export type Receipt = z.infer<typeof Receipt>;

/** A job just accepted into the queue: no session, no answer yet. */
export function newJob(fields: {
  id: string;
  ownerId: string | null;
  files: readonly Pick<JobFile, "name" | "size" | "sha256">[];
  clinicalImpression?: string | undefined;
  label: StudyLabel;
  encrypted: boolean;
  now: number;
  queuedOffline?: boolean;
}): Job {
  const impression = fields.clinicalImpression?.trim();
  return {
    id: fields.id,
    ownerId: fields.ownerId,
    state: fields.files.every((f) => f.sha256 !== null) ? "waiting" : "preparing",
    files: fields.files.map((f) => ({
      name: f.name,
      size: f.size,
      sha256: f.sha256,
      received: [],
    })),
    ...(impression ? { clinicalImpression: impression } : {}),
    label: fields.label,
    encrypted: fields.encrypted,
    session: null,
    server: null,
    attention: null,
    wait: null,
    stats: {
      queuedAt: fields.now,
      startedAt: null,
      sentAt: null,
      retries: 0,
      bytesResent: 0,
      sessions: 0,
      queuedOffline: fields.queuedOffline ?? false,
    },
    live: null,
  };
}

export function jobBytes(job: Pick<Job, "files">): number {
  return job.files.reduce((sum, file) => sum + file.size, 0);
}

/** Bytes the server has acknowledged, over every file. */
export function ackedBytes(job: Pick<Job, "files">): number {
  return job.files.reduce(
    (sum, file) => sum + file.received.reduce((n, [start, end]) => n + end - start, 0),
    0,
  );
}

/** Files whose every byte the server has acknowledged (an empty file: once it was sent). */
export function filesDone(job: Pick<Job, "files">): number {
  return job.files.filter((file) =>
    file.size === 0
      ? file.received.length > 0
      : file.received.reduce((n, [s, e]) => n + e - s, 0) >= file.size,
  ).length;
}

/** 32 random hex characters: a local id that says nothing about the study. */
export function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
