// How long to wait before trying again: exponential, capped, with jitter so that many devices
// coming back online together do not retry in lockstep. Pure; `random` is in [0, 1).
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/** Between queue runs (the timer that keeps trying while the page is open). */
export const RUN_BACKOFF: BackoffPolicy = { baseMs: 2_000, maxMs: 5 * 60_000 };

/** Between attempts at one request inside a run. */
export const REQUEST_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 15_000 };

/** The wait before attempt `attempt + 1` (0-based): between half and all of the ceiling. */
export function backoffMs(attempt: number, random: number, policy: BackoffPolicy): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt));
  return Math.round(ceiling * (0.5 + Math.min(Math.max(random, 0), 1) / 2));
}
