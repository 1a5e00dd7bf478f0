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
