// What a failed request means for a queued job, in one place: try again later, refresh the upload
// token, ask the person to sign in, start a new session, re-read the server's status, or stop and
// explain. The retry rules match worker/contract/retry.ts (network, 408, 425, 429, 5xx retry).
import { ApiError } from "../uploader/api";

export type FailureKind =
  "transient" | "token" | "sign_in" | "session_gone" | "not_receiving" | "resync" | "fatal";

/** A request that stopped making progress and was aborted by the watchdog. */
export class StallError extends Error {
  constructor(ms: number) {
    super(`No progress for ${Math.round(ms / 1000)} s`);
    this.name = "StallError";
  }
}

/** Nobody is signed in (or the sign-in ended): the job waits for a sign-in. */
export class NeedsSignIn extends Error {
  constructor() {
    super("Sign in to send this study.");
    this.name = "NeedsSignIn";
  }
}

/** The job was cancelled or removed while it ran. */
export class JobGone extends Error {
  constructor() {
    super("This upload was cancelled.");
    this.name = "JobGone";
  }
}

export function classify(error: unknown): FailureKind {
  if (error instanceof StallError) return "transient";
  if (error instanceof NeedsSignIn) return "sign_in";
  if (!(error instanceof ApiError)) return "fatal";
  const { status, code } = error;
  if (status === 0 || status === 408 || status === 425 || status === 429 || status >= 500) {
    return "transient";
  }
  if (status === 401) {
    return code === "token_expired" || code === "unauthorized" ? "token" : "sign_in";
  }
  if (code === "session_expired" || (status === 404 && code === "not_found")) return "session_gone";
  if (code === "session_not_receiving") return "not_receiving";
  if (
    code === "chunk_conflict" ||
    code === "session_incomplete" ||
    code === "chunk_checksum_mismatch" ||
    code === "chunk_out_of_range"
  ) {
    return "resync";
  }
  return "fatal";
}
