// Rate limits on sign-in (per account and per address), enrollment (per address) and upload
// session creation (per user), kept by the RateLimiter Durable Object (one per key). A refused
// attempt takes nothing; sign-in and enrollment give their token back when they succeed, so only
// failures count against a person. If the limiter cannot be reached the request goes on (logged):
// passwords are still checked, and a limiter outage must not lock every clinic out.
import { createMiddleware } from "hono/factory";
import type { RateRule } from "../../durable/rate-limit";
import type { RateDecision } from "../../durable/rate-limiter";
import type { AppEnv } from "../app-env";
import { sha256Hex } from "../auth/digest";
import { authenticateAccess, bearer } from "../auth/middleware";
import { TooManyAttempts } from "../errors";
import { log } from "../log";

export const RULES = {
  /** 5 failed sign-ins in a row per account, then one more every 3 minutes. */
  signInAccount: { capacity: 5, refillMs: 3 * 60_000 },
  /** 20 failed sign-ins per address (a clinic's staff may share one), then one every 30 s. */
  signInAddress: { capacity: 20, refillMs: 30_000 },
  /** 10 failed enrollments per address, then one a minute (codes are long and random anyway). */
  enrollAddress: { capacity: 10, refillMs: 60_000 },
  /** 60 upload sessions at once per user (a folder of studies), then one every 2 s. */
  sessionCreation: { capacity: 60, refillMs: 2_000 },
} as const satisfies Record<string, RateRule>;
export type RuleName = keyof typeof RULES;

/** The client's address as Cloudflare saw it; "unknown" outside Cloudflare (tests, scripts). */
export function clientAddress(headers: { header(name: string): string | undefined }): string {
  return headers.header("cf-connecting-ip") ?? "unknown";
}

async function take(env: Env, rule: RuleName, key: string, cost: number) {
  // Keys are hashed: an email never becomes a Durable Object name.
  const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`${rule}:${await sha256Hex(key)}`));
  try {
    return await stub.take(RULES[rule], cost);
  } catch (error) {
    log("warn", "rate_limiter_unavailable", {
      rule,
      error: error instanceof Error ? error.name : "unknown",
    });
    return null;
  }
}

export type Check = readonly [RuleName, string];

/**
 * Takes one attempt from every bucket, or throws TooManyAttempts (429, Retry-After) taking none.
 * Returns a function that gives the attempts back (call it when the attempt succeeded).
 */
export async function enforce(env: Env, checks: readonly Check[]): Promise<() => Promise<void>> {
  const decisions: Array<RateDecision | null> = await Promise.all(
    checks.map(([rule, key]) => take(env, rule, key, 1)),
  );
  // Gives back what was taken (the buckets that allowed this attempt).
  const giveBack = async () => {
    const taken = checks.filter((_, i) => decisions[i]?.allowed === true);
    await Promise.all(taken.map(([rule, key]) => take(env, rule, key, -1)));
  };
  const refused = decisions.filter((d): d is RateDecision => d !== null && !d.allowed);
  if (refused.length > 0) {
    await giveBack();
    const waitMs = Math.max(...refused.map((d) => d.retryAfterMs));
    throw new TooManyAttempts(Math.ceil(waitMs / 1000));
  }
  return giveBack;
}

/** POST /api/uploads: one session creation per attempt, per signed-in user. */
export const limitSessionCreation = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method === "POST") {
    if (!c.get("principal")) {
      c.set("principal", await authenticateAccess(c.env, bearer(c.req.header("authorization"))));
    }
    await enforce(c.env, [["sessionCreation", c.get("principal").sub]]);
  }
  await next();
});
