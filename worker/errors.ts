// Named domain errors and their one mapping to `{ error: { code, message } }` responses.
// Messages are for a clinician: what happened and what to do. Never put PHI in them.
import type { ContentfulStatusCode } from "hono/utils/http-status";

export type ErrorCode =
  | "bad_request"
  | "unauthorized"
  | "token_expired"
  | "forbidden"
  | "not_found"
  | "invalid_credentials"
  | "session_not_receiving"
  | "session_incomplete"
  | "session_expired"
  | "chunk_out_of_range"
  | "chunk_size_invalid"
  | "chunk_checksum_mismatch"
  | "chunk_conflict"
  | "limit_exceeded"
  | "payload_too_large"
  | "destination_misconfigured"
  | "session_revoked"
  | "device_revoked"
  | "account_disabled"
  | "enrollment_invalid"
  | "enrollment_used"
  | "enrollment_expired"
  | "enrollment_revoked"
  | "rate_limited"
  | "cross_origin"
  | "not_configured"
  | "internal";

const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  bad_request: 400,
  unauthorized: 401,
  token_expired: 401,
  forbidden: 403,
  not_found: 404,
  invalid_credentials: 401,
  session_not_receiving: 409,
  session_incomplete: 409,
  session_expired: 410,
  chunk_out_of_range: 416,
  chunk_size_invalid: 400,
  chunk_checksum_mismatch: 422,
  chunk_conflict: 409,
  limit_exceeded: 413,
  payload_too_large: 413,
  destination_misconfigured: 503,
  session_revoked: 401,
  device_revoked: 401,
  account_disabled: 403,
  enrollment_invalid: 404,
  enrollment_used: 410,
  enrollment_expired: 410,
  enrollment_revoked: 410,
  rate_limited: 429,
  cross_origin: 403,
  not_configured: 503,
  internal: 500,
};

export class AppError extends Error {
  readonly status: ContentfulStatusCode;
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "AppError";
    this.status = STATUS[code];
  }
}

/** For an upload id that does not exist or is not the caller's: the same words, so nobody
 * learns which. */
export const NO_SUCH_UPLOAD = "This upload does not exist. Send the study again from the app.";

/** 429 with a Retry-After header (app.ts sets it from `retryAfterSeconds`). */
export class TooManyAttempts extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
    super(
      "rate_limited",
      `Too many attempts. Try again in ${minutes} ${minutes === 1 ? "minute" : "minutes"}.`,
    );
  }
}

/** A plain, serialisable error for results that cross a Durable Object RPC boundary. */
export interface ErrorResult {
  ok: false;
  code: ErrorCode;
  message: string;
}

export type Result<T> = ({ ok: true } & T) | ErrorResult;

export function fail(code: ErrorCode, message: string): ErrorResult {
  return { ok: false, code, message };
}

/** The success value of a Result (also one that came back over RPC), or the error thrown. */
export function unwrap<R extends { ok: true } | ErrorResult>(result: R): Exclude<R, ErrorResult> {
  if (isError(result)) throw new AppError(result.code, result.message);
  return result as Exclude<R, ErrorResult>;
}

function isError(result: { ok: boolean }): result is ErrorResult {
  return !result.ok;
}
