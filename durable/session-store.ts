// Storage layout of one upload-session object: SQL tables and the schema every row read back is
// parsed with. One place, so the shell never guesses what it stored.
import { z } from "zod";
import { ChunkBounds, FileVerdict, InstanceOutcome } from "../worker/contract";

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
  idx INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  verdict TEXT,
  outcome TEXT,
  sop_instance_uid TEXT,
  study_instance_uid TEXT
);
CREATE TABLE IF NOT EXISTS chunks (
  file INTEGER NOT NULL,
  offset INTEGER NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  key TEXT NOT NULL,
  PRIMARY KEY (file, offset)
);`;

export const PhaseSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("receiving") }),
  z.object({ kind: z.literal("verifying") }),
  // dueAt is optional: sessions stored before the forward watchdog have none.
  // resent: how often the watchdog sent the forward again since a consumer last started it.
  z.object({
    kind: z.literal("queued"),
    attempts: z.number().int(),
    dueAt: z.number().optional(),
    resent: z.number().int().optional(),
  }),
  z.object({ kind: z.literal("forwarding"), attempts: z.number().int() }),
  z.object({ kind: z.literal("delivered"), at: z.number() }),
  z.object({ kind: z.literal("partially_delivered"), at: z.number() }),
  z.object({ kind: z.literal("failed"), at: z.number(), reason: z.string() }),
  z.object({ kind: z.literal("expired"), at: z.number() }),
]);

export const SessionMeta = z.object({
  sessionId: z.string(),
  ownerId: z.string(),
  clinicId: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  lastActivity: z.number(),
  ttlMs: z.number(),
  phase: PhaseSchema,
  chunkSize: ChunkBounds,
  clinicalImpression: z.string().optional(),
  warnings: z.array(z.string()),
});
export type SessionMeta = z.infer<typeof SessionMeta>;

export const FileRow = z.object({
  idx: z.number().int(),
  name: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  verdict: z.string().nullable(),
  outcome: z.string().nullable(),
  sop_instance_uid: z.string().nullable(),
  study_instance_uid: z.string().nullable(),
});
export type FileRow = z.infer<typeof FileRow>;

export const ChunkRow = z.object({
  file: z.number().int(),
  offset: z.number().int(),
  size: z.number().int(),
  sha256: z.string(),
  key: z.string(),
});
export type ChunkRow = z.infer<typeof ChunkRow>;

export const parseVerdict = (json: string | null) =>
  json === null ? undefined : FileVerdict.parse(JSON.parse(json));
export const parseOutcome = (json: string | null) =>
  json === null ? undefined : InstanceOutcome.parse(JSON.parse(json));
