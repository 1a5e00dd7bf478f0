// Shared primitives and the error envelope every failing API response uses.
import { z } from "zod";

export const Sha256Hex = z
  .string()
  .regex(/^[0-9a-f]{64}$/, "a SHA-256 digest as 64 lowercase hex characters");

export const SessionId = z.string().regex(/^[0-9a-f]{32}$/, "a session id (32 hex characters)");

export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
