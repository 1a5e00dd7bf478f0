// Upload protocol: init with a manifest, PUT chunks addressed by byte offset, complete, status.
// Chunks are addressed by byte offset, not by index, so a client may change its chunk size in the
// middle of a session (see docs/design.md).
import { z } from "zod";
import { SessionId, Sha256Hex } from "./common";

export const CHUNK_SHA256_HEADER = "x-chunk-sha256";

export const ManifestFile = z.object({
  name: z.string().min(1).max(255),
  size: z.number().int().min(0),
  sha256: Sha256Hex,
});
export type ManifestFile = z.infer<typeof ManifestFile>;

export const InitUploadRequest = z.object({
  files: z.array(ManifestFile).min(1),
  clinicalImpression: z.string().max(10_000).optional(),
  preferredChunkSize: z.number().int().positive().optional(),
});
export type InitUploadRequest = z.infer<typeof InitUploadRequest>;

export const ChunkBounds = z.object({
  min: z.number().int(),
  max: z.number().int(),
  preferred: z.number().int(),
});
export type ChunkBounds = z.infer<typeof ChunkBounds>;

export const InitUploadResponse = z.object({
  sessionId: SessionId,
  uploadToken: z.string(),
  tokenExpiresAt: z.number().int(),
  chunkSize: ChunkBounds,
});
export type InitUploadResponse = z.infer<typeof InitUploadResponse>;

export const TokenResponse = z.object({
  uploadToken: z.string(),
  tokenExpiresAt: z.number().int(),
});
export type TokenResponse = z.infer<typeof TokenResponse>;

export const ChunkAck = z.object({
  file: z.number().int(),
  offset: z.number().int(),
  size: z.number().int(),
  /** false when the same bytes were already stored: the re-send was a no-op. */
  stored: z.boolean(),
});
export type ChunkAck = z.infer<typeof ChunkAck>;

/** Half-open byte range [start, end). */
export const ByteRange = z.tuple([z.number().int(), z.number().int()]);
export type ByteRange = z.infer<typeof ByteRange>;

export const SessionState = z.enum([
  "receiving",
  "verifying",
  "queued",
  "forwarding",
  "delivered",
  "partially_delivered",
  "failed",
  "expired",
]);
export type SessionState = z.infer<typeof SessionState>;

/** Why a file was or was not accepted for forwarding, decided at complete. */
export const FileVerdict = z.object({
  accepted: z.boolean(),
  code: z.string(),
  message: z.string(),
});
export type FileVerdict = z.infer<typeof FileVerdict>;

/** What the PACS said about one instance. */
export const InstanceOutcome = z.object({
  status: z.enum(["pending", "stored", "warning", "failed"]),
  sopInstanceUid: z.string().optional(),
  code: z.string().optional(),
  message: z.string(),
  /** The PACS was asked afterwards and holds this instance (receipt confirmation). */
  confirmed: z.boolean().optional(),
});
export type InstanceOutcome = z.infer<typeof InstanceOutcome>;

export const FileStatus = z.object({
  index: z.number().int(),
  name: z.string(),
  size: z.number().int(),
  received: z.array(ByteRange),
  missing: z.array(ByteRange),
  verdict: FileVerdict.optional(),
  outcome: InstanceOutcome.optional(),
});
export type FileStatus = z.infer<typeof FileStatus>;

export const SessionStatus = z.object({
  sessionId: SessionId,
  state: SessionState,
  message: z.string(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  chunkSize: ChunkBounds,
  files: z.array(FileStatus),
  counts: z.object({
    files: z.number().int(),
    accepted: z.number().int(),
    stored: z.number().int(),
    failed: z.number().int(),
  }),
});
export type SessionStatus = z.infer<typeof SessionStatus>;
