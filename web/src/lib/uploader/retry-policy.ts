// When to try a failed request again, and after how long. One pure rule set, so the page uploader
// and (later) the service-worker queue agree.
//
// Rules: a network failure, a timeout (408), rate limiting (429) or a server error (5xx) is retried
// after RETRY_DELAYS_MS[attempt]; anything else (a 4xx answer such as a bad checksum, an expired
// token, a refused file) is not, because sending the same request again would get the same answer.
import { ApiError } from "./api";
import type { Clock } from "./ports";

export const RETRY_DELAYS_MS = [1_000, 3_000, 10_000, 30_000] as const;

/** The delay before retry number `attempt` (0-based), or null to give up. */
export function shouldRetry(error: unknown, attempt: number): number | null {
  const delay = RETRY_DELAYS_MS[attempt];
  if (delay === undefined) return null;
  if (!(error instanceof ApiError)) return null;
  if (error.status === 0 || error.status === 408 || error.status === 429 || error.status >= 500) {
    return delay;
  }
  return null;
}

/** Runs `attempt` until it succeeds or `shouldRetry` gives up; waits on the given clock. */
export async function withRetry<T>(
  attempt: () => Promise<T>,
  clock: Clock,
  signal?: AbortSignal,
): Promise<T> {
  for (let tries = 0; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      const delay = shouldRetry(error, tries);
      if (delay === null || signal?.aborted) throw error;
      await clock.sleep(delay, signal);
    }
  }
}
