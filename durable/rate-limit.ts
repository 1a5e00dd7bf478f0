// A token bucket, pure: no clock, no storage. A bucket holds up to `capacity` tokens and gains one
// every `refillMs`; an attempt takes `cost` tokens (a negative cost gives tokens back, e.g. after
// a successful sign-in, so that only failures count). The Durable Object in rate-limiter.ts keeps
// one bucket per key and calls `take`.
import { z } from "zod";

export const RateRule = z.object({
  capacity: z.number().int().min(1).max(10_000),
  refillMs: z
    .number()
    .int()
    .min(1)
    .max(24 * 3600_000),
});
export type RateRule = z.infer<typeof RateRule>;

export const Bucket = z.object({ tokens: z.number(), updatedAt: z.number() });
export type Bucket = z.infer<typeof Bucket>;

export interface Decision {
  allowed: boolean;
  /** Whole tokens left after this attempt. */
  remaining: number;
  /** When refused: how long until one more attempt is allowed. 0 when allowed. */
  retryAfterMs: number;
  bucket: Bucket;
  /** When the bucket is full again (nothing worth keeping after that). */
  fullAtMs: number;
}

/** The bucket at `now`: refilled for the time elapsed, never above capacity. */
export function refill(bucket: Bucket | undefined, rule: RateRule, now: number): Bucket {
  if (!bucket) return { tokens: rule.capacity, updatedAt: now };
  const elapsed = Math.max(0, now - bucket.updatedAt);
  const tokens = Math.min(rule.capacity, bucket.tokens + elapsed / rule.refillMs);
  return { tokens, updatedAt: Math.max(now, bucket.updatedAt) };
}

export function take(bucket: Bucket | undefined, rule: RateRule, now: number, cost = 1): Decision {
  const current = refill(bucket, rule, now);
  if (cost <= 0) {
    const tokens = Math.min(rule.capacity, current.tokens - cost);
    return decided(true, { tokens, updatedAt: current.updatedAt }, rule, 0);
  }
  if (current.tokens >= cost) {
    return decided(true, { tokens: current.tokens - cost, updatedAt: current.updatedAt }, rule, 0);
  }
  const retryAfterMs = Math.ceil((cost - current.tokens) * rule.refillMs);
  return decided(false, current, rule, retryAfterMs);
}

function decided(allowed: boolean, bucket: Bucket, rule: RateRule, retryAfterMs: number): Decision {
  return {
    allowed,
    remaining: Math.floor(bucket.tokens),
    retryAfterMs,
    bucket,
    fullAtMs: bucket.updatedAt + Math.ceil((rule.capacity - bucket.tokens) * rule.refillMs),
  };
}

/** "Try again in N minutes." with N rounded up, at least 1. */
export function minutesToWait(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 60_000));
}
