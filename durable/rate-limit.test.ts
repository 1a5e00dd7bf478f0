import { describe, expect, it } from "vitest";
import { minutesToWait, refill, take, type RateRule } from "./rate-limit";

const rule: RateRule = { capacity: 3, refillMs: 60_000 };

describe("token bucket", () => {
  it("a new bucket is full and allows `capacity` attempts in a row, then refuses", () => {
    let bucket;
    const allowed: boolean[] = [];
    for (let i = 0; i < 4; i++) {
      const d = take(bucket, rule, 1000);
      allowed.push(d.allowed);
      bucket = d.bucket;
    }
    expect(allowed).toEqual([true, true, true, false]);
  });

  it("a refusal says how long until the next attempt, and does not consume", () => {
    let bucket = take(undefined, rule, 0, 3).bucket;
    const refused = take(bucket, rule, 15_000);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBe(45_000);
    bucket = refused.bucket;
    expect(take(bucket, rule, 59_999).allowed).toBe(false);
    expect(take(bucket, rule, 60_000).allowed).toBe(true);
  });

  it("refills one token per interval, never above capacity", () => {
    const empty = take(undefined, rule, 0, 3).bucket;
    expect(refill(empty, rule, 120_000).tokens).toBe(2);
    expect(refill(empty, rule, 10 * 60_000).tokens).toBe(3);
  });

  it("a negative cost gives tokens back (only failures count), capped at capacity", () => {
    const d1 = take(undefined, rule, 0);
    expect(d1.remaining).toBe(2);
    const back = take(d1.bucket, rule, 0, -1);
    expect(back.allowed).toBe(true);
    expect(back.remaining).toBe(3);
    expect(take(back.bucket, rule, 0, -5).remaining).toBe(3);
  });

  it("a clock that goes backwards neither refills nor breaks the bucket", () => {
    const d = take(undefined, rule, 100_000, 3);
    const later = take(d.bucket, rule, 50_000);
    expect(later.allowed).toBe(false);
    expect(later.bucket.updatedAt).toBe(100_000);
  });

  it("reports when the bucket is full again", () => {
    const d = take(undefined, rule, 0, 2);
    expect(d.fullAtMs).toBe(120_000);
    expect(take(undefined, rule, 5).fullAtMs).toBe(5 + 60_000);
  });

  it("a cost larger than what is left waits for the missing tokens", () => {
    const d = take(undefined, rule, 0, 2);
    const big = take(d.bucket, rule, 0, 3);
    expect(big).toMatchObject({ allowed: false, retryAfterMs: 120_000 });
  });

  it("rounds the wait up to whole minutes, at least one", () => {
    expect(minutesToWait(1)).toBe(1);
    expect(minutesToWait(60_000)).toBe(1);
    expect(minutesToWait(60_001)).toBe(2);
    expect(minutesToWait(0)).toBe(1);
  });
});
