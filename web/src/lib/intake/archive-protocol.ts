// The messages between the page and the archive Web Worker, as zod schemas (types by z.infer),
// parsed on arrival on both sides. The page pulls: after "expand" it sends "next" for each item,
// and the worker answers each "next" with exactly one member, problem, "done" or "failed". So the
// worker never unpacks ahead of the page, and memory holds one member at a time.
import { z } from "zod";
import { intakeProblemSchema } from "./problems";

const id = z.number().int().nonnegative();

export const archiveLimitsSchema = z.object({
  maxRatio: z.number().positive(),
  maxTotalBytes: z.number().nonnegative(),
  maxMemberBytes: z.number().nonnegative(),
  maxRarBytes: z.number().nonnegative(),
});

export const toWorkerSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("expand"),
    id,
    path: z.string(),
    format: z.enum(["zip", "rar"]),
    file: z.instanceof(Blob),
    limits: archiveLimitsSchema,
  }),
  z.object({ type: z.literal("next"), id }),
  z.object({ type: z.literal("cancel"), id }),
]);

export const fromWorkerSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("member"),
    id,
    path: z.string(),
    bytes: z.instanceof(Uint8Array),
  }),
  z.object({ type: z.literal("problem"), id, path: z.string(), problem: intakeProblemSchema }),
  z.object({ type: z.literal("done"), id }),
  /** Something went wrong in the worker itself (not in the archive): `message` has no PHI. */
  z.object({ type: z.literal("failed"), id, message: z.string() }),
]);

export type ToWorker = z.infer<typeof toWorkerSchema>;
export type FromWorker = z.infer<typeof fromWorkerSchema>;

/** What both ends need of a Worker, a worker's global scope or a MessagePort. */
export interface MessagePortLike {
  postMessage(message: unknown, options?: { transfer?: Transferable[] }): void;
  addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  removeEventListener(type: "message", listener: (event: MessageEvent) => void): void;
}
