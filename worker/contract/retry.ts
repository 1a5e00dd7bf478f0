// The retry policy, shared by the browser uploader and the queue consumer. Rules:
// 1. Transient failures retry: network errors, timeouts, 408, 425, 429 and 5xx.
// 2. Permanent failures never retry: every other 4xx (the request itself is wrong, or refused).
// 3. Delays grow exponentially from RETRY_BASE_SECONDS, capped at RETRY_MAX_SECONDS, with full
//    jitter so that many clinics coming back online at once do not retry in lockstep.
// 4. After MAX_ATTEMPTS the caller stops and explains (the queue sends it to the dead-letter queue).
export const RETRY_BASE_SECONDS = 5;
export const RETRY_MAX_SECONDS = 30 * 60;
export const MAX_ATTEMPTS = 10;

export type Failure = { kind: "network" } | { kind: "timeout" } | { kind: "http"; status: number };

export function isTransient(failure: Failure): boolean {
  if (failure.kind !== "http") return true;
  const s = failure.status;
  return s === 408 || s === 425 || s === 429 || s >= 500;
}

/** Seconds to wait before attempt `attempt + 1`, or null to stop. `random` is in [0, 1). */
export function shouldRetry(failure: Failure, attempt: number, random: number): number | null {
  if (!isTransient(failure) || attempt >= MAX_ATTEMPTS) return null;
  const ceiling = Math.min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** Math.max(0, attempt - 1));
  return Math.max(1, Math.round(ceiling * (0.5 + random / 2)));
}
