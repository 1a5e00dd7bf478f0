// The messages between the page and a head worker, as zod schemas parsed on arrival on both
// sides. The page sends a batch of picked files; the worker answers, in order, with each file's
// first `bytes` (transferred, not copied; null when the file could not be read) and, for DICOM
// files, the verdict on its header, parsed there.
import { z } from "zod";
import { headerVerdictSchema } from "../dicom/header-schema";
import type { HeaderVerdict } from "../dicom/header-verdict";

const id = z.number().int().nonnegative();

export const toHeadWorkerSchema = z.object({
  type: z.literal("heads"),
  id,
  files: z.array(z.instanceof(Blob)),
  bytes: z.number().int().positive(),
});

/** A file's first bytes and, when a worker read it, the verdict on its header. */
export interface Head {
  bytes: Uint8Array | null;
  verdict?: HeaderVerdict | undefined;
}

export const headSchema = z.object({
  bytes: z.instanceof(Uint8Array).nullable(),
  verdict: headerVerdictSchema.optional(),
}) satisfies z.ZodType<Head>;

export const fromHeadWorkerSchema = z.object({
  type: z.literal("heads"),
  id,
  heads: z.array(headSchema),
});

export type ToHeadWorker = z.infer<typeof toHeadWorkerSchema>;
export type FromHeadWorker = z.infer<typeof fromHeadWorkerSchema>;
