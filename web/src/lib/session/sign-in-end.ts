// Which API errors mean the sign-in is over, and the plain words for the cases the server cannot
// explain (a refresh token that ran out on the device, or a session with no refresh token).
import { ApiError } from "../uploader/api";

/**
 * The sign-in has ended for good: signing out is the only way on. Not among them: network
 * failures, rate limits and server trouble (try again later), and `forbidden` (a non-admin asking
 * for an admin page is still signed in).
 */
const ENDING_CODES = new Set([
  "session_revoked",
  "device_revoked",
  "account_disabled",
  "unauthorized",
  "token_expired",
]);

/** From a refresh: any of the above ends the sign-in. */
export function endsSignIn(error: unknown): error is ApiError {
  return error instanceof ApiError && ENDING_CODES.has(error.code);
}

/**
 * From any other API call: only the answers that name the sign-in itself. An upload token can
 * run out (`token_expired`) while the sign-in is fine.
 */
export function endsSignInCode(code: string): boolean {
  return code === "session_revoked" || code === "device_revoked" || code === "account_disabled";
}

export const SIGNED_OUT_MESSAGE = "You were signed out. Sign in again to continue.";
export const SIGN_IN_EXPIRED_MESSAGE =
  "Your sign-in on this device has run out. Sign in again to continue.";
