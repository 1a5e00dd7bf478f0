// One Durable Object per rate-limited key (an email, an address, a user): a thin shell over the
// pure token bucket in rate-limit.ts. It keeps one small value and an alarm that forgets the
// bucket once it is full again, so idle keys leave nothing behind.
import { DurableObject } from "cloudflare:workers";
import { Bucket, RateRule, take } from "./rate-limit";

const KEY = "bucket";

export interface RateDecision {
  allowed: boolean;
  remaining: number;
  retryAfterMs: number;
}

export class RateLimiter extends DurableObject<Env> {
  /** Takes `cost` tokens (negative: gives them back). Refused attempts take nothing. */
  async take(rule: RateRule, cost: number): Promise<RateDecision> {
    const checkedRule = RateRule.parse(rule);
    const stored = Bucket.safeParse(await this.ctx.storage.get(KEY));
    const now = Date.now();
    const decision = take(stored.success ? stored.data : undefined, checkedRule, now, cost);
    if (decision.fullAtMs <= now) {
      await this.ctx.storage.delete(KEY);
    } else {
      await this.ctx.storage.put(KEY, decision.bucket);
      await this.ctx.storage.setAlarm(decision.fullAtMs);
    }
    return {
      allowed: decision.allowed,
      remaining: decision.remaining,
      retryAfterMs: decision.retryAfterMs,
    };
  }

  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }
}
