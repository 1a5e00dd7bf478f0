// The fault kinds of the matrix, how a seed plans them, and how each is injected. A fault counts
// as injected only on evidence that it happened while the study was on its way: the cut reset the
// link, the process was stopped, FakePacs answered with the fault itself, the server refused the
// expired token, the second tab showed the job. A fault that found nothing to hit is not counted.
import { SignJWT } from "jose";
import type { Page, Request } from "playwright-core";
import { z } from "zod";
import { replaceUploadToken } from "../support/queue-page";
import type { Rng } from "./prng";
import type { ChaosStudy } from "./studies";
import { CHUNK_BYTES, gotoQueue, type World } from "./world";

export const FAULT_KINDS = [
  "net-cut",
  "browser-restart",
  "relay-restart",
  "pacs-restart",
  "pacs-slow",
  "pacs-413",
  "pacs-5xx",
  "pacs-409",
  "token-expiry",
  "two-tabs",
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Kinds that set the clinic's destination to FakePacs: one of them per scenario at most. */
const DESTINATION_KINDS: readonly FaultKind[] = ["pacs-slow", "pacs-413", "pacs-5xx", "pacs-409"];

/** When a fault strikes: before the study is confirmed, at the n-th chunk PUT, or once the app
 *  has asked the server to forward (the PACS's turn). */
export type Trigger = { at: "start" } | { at: "put"; n: number } | { at: "sent"; delayMs: number };

export interface PlannedFault {
  kind: FaultKind;
  trigger: Trigger;
  /** Kind-specific numbers, drawn from the seed: durations, status codes, limits. */
  n: number;
}

export interface FaultOutcome {
  kind: FaultKind;
  injected: boolean;
  note: string;
}

const TRIGGERS: Record<FaultKind, Array<Trigger["at"]>> = {
  "net-cut": ["put"],
  "browser-restart": ["put", "sent"],
  "relay-restart": ["put", "sent"],
  "pacs-restart": ["start", "put", "sent"],
  "pacs-slow": ["start"],
  "pacs-413": ["start"],
  "pacs-5xx": ["start"],
  "pacs-409": ["start"],
  "token-expiry": ["put"],
  "two-tabs": ["start", "put"],
};

/** 1-3 distinct kinds (at most one destination fault), each with its moment and numbers. */
/**
 * Kinds dealt from a seeded shuffled deck, refilled when empty: every kind comes up once per
 * round, so a short run still meets all of them and a long one meets them evenly.
 */
export class KindDeck {
  #left: FaultKind[] = [];

  constructor(
    private readonly rng: Rng,
    readonly kinds: readonly FaultKind[],
  ) {}

  /** The next kind that `fits`, or null when no kind does. */
  draw(fits: (kind: FaultKind) => boolean): FaultKind | null {
    if (this.#left.length === 0) {
      const deck = [...this.kinds];
      for (let i = deck.length - 1; i > 0; i--) {
        const j = this.rng.int(0, i);
        [deck[i], deck[j]] = [deck[j]!, deck[i]!];
      }
      this.#left = deck;
    }
    const at = this.#left.findIndex(fits);
    if (at >= 0) return this.#left.splice(at, 1)[0] ?? null;
    const any = this.kinds.filter(fits);
    return any.length > 0 ? this.rng.pick(any) : null;
  }
}

export function planFaults(rng: Rng, study: ChaosStudy, deck: KindDeck) {
  const chunks = study.sizes.reduce(
    (n, bytes) => n + Math.max(1, Math.ceil(bytes / CHUNK_BYTES)),
    0,
  );
  // Six or seven (of the seven that fit: one destination fault and the six others): a
  // scenario's fixed cost (picking, confirming, forwarding) is then shared by more faults, so the
  // default run reaches 200 injected faults within its 15 minutes; and faults that meet each
  // other are the interesting ones. A short study gives several the same chunk to strike at.
  const count = rng.pick([6, 7]);
  const chosen: FaultKind[] = [];
  const fits = (kind: FaultKind) =>
    !chosen.includes(kind) &&
    !(DESTINATION_KINDS.includes(kind) && chosen.some((k) => DESTINATION_KINDS.includes(k)));
  for (let kind = deck.draw(fits); kind !== null; kind = deck.draw(fits)) {
    chosen.push(kind);
    if (chosen.length >= count) break;
  }
  const plans = chosen.map((kind): PlannedFault => {
    const at = rng.pick(TRIGGERS[kind]);
    const trigger: Trigger =
      at === "start"
        ? { at }
        : at === "put"
          ? { at, n: rng.int(1, chunks) }
          : { at, delayMs: rng.int(0, 600) };
    return { kind, trigger, n: rng.next() };
  });
  // A flaky link drops more than once: a study of three or more chunks meets one or two more
  // cuts, each at a chunk no other cut was aimed at.
  if (chunks >= 3) {
    const cutAt = new Set(
      plans.flatMap((p) => (p.kind === "net-cut" && p.trigger.at === "put" ? [p.trigger.n] : [])),
    );
    for (let extra = rng.int(1, 2); extra > 0 && cutAt.size < chunks; extra--) {
      let n = rng.int(1, chunks);
      while (cutAt.has(n)) n = (n % chunks) + 1;
      cutAt.add(n);
      plans.push({ kind: "net-cut", trigger: { at: "put", n }, n: rng.next() });
    }
  }
  return plans;
}

/** What a fault may look at and do while its scenario runs. */
export interface FaultContext {
  world: World;
  study: ChaosStudy;
  scenario: number;
  /** The job this scenario queued (once it is in IndexedDB). */
  jobId(): string | null;
  /** True once the scenario's job has ended (receipt or explained failure). */
  finished(): boolean;
  /** Chunk upload speed of the proxy, to aim a cut inside a chunk. */
  uploadBytesPerSecond: number;
}

/** A running fault: `fire` at its trigger, `outcome` at the end of the scenario. */
export interface ArmedFault {
  planned: PlannedFault;
  /** Called once, at the trigger (with the chunk PUT for "put" triggers). */
  fire(request?: Request): Promise<void>;
  /** After the scenario: was it injected; and puts back what it changed (destination, tab). */
  outcome(): Promise<FaultOutcome>;
  /** The destination fault has done its part: point the clinic at Orthanc again. */
  restore?(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `promise`, or a rejection with `what` after `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(what)), ms);
  });
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}

/**
 * Puts the clinic's destination back once, however often it is asked (by the fault itself, its
 * outcome and the harness's clean-up); `done` says whether it has.
 */
function destinationReset(world: World): { done: boolean; restore: () => Promise<void> } {
  const state = {
    done: false,
    restore: async () => {
      if (state.done) return;
      state.done = true;
      await world.admin.resetDestination();
    },
  };
  return state;
}

async function fakeCount(world: World, key: string): Promise<number> {
  const response = await fetch(`${world.fake.url}/_count/${key}`);
  return z.object({ count: z.number() }).parse(await response.json()).count;
}

/** An upload token for the same session and person whose expiry has passed, signed with the
 *  worker's own key: to the server it is a genuine token that ran out. */
async function expiredTwin(secret: string, token: string): Promise<string> {
  const payload = z
    .object({ sub: z.string(), aud: z.string(), iss: z.string() })
    .passthrough()
    .parse(JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")));
  const { sub, aud, iss, exp: _exp, iat: _iat, ...claims } = payload;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setIssuer(iss)
    .setAudience(aud)
    .setSubject(sub)
    .setIssuedAt(now - 3600)
    .setExpirationTime(now - 60)
    .sign(new TextEncoder().encode(secret));
}

export function arm(planned: PlannedFault, ctx: FaultContext): ArmedFault {
  const { world } = ctx;
  const result = { injected: false, note: "" };
  let running: Promise<void> = Promise.resolve();
  const done = async (): Promise<FaultOutcome> => {
    await running.catch((error: unknown) => {
      result.note += ` (error: ${error instanceof Error ? error.message.split("\n")[0] : String(error)})`;
    });
    return { kind: planned.kind, ...result };
  };
  const fire = (task: () => Promise<void>) => async () => {
    running = task();
    await running;
  };
  const n = planned.n;

  switch (planned.kind) {
    case "net-cut": {
      const cutMs = 500 + Math.round(n * 2500);
      return {
        planned,
        fire: async (request) => {
          // Aim inside the chunk: its body takes size / rate on the paced link.
          const bytes = request?.postDataBuffer()?.length ?? CHUNK_BYTES;
          const bodyMs = (bytes * 1000) / ctx.uploadBytesPerSecond;
          running = (async () => {
            await sleep(Math.round(bodyMs * (0.2 + 0.6 * n)));
            const midChunk = request !== undefined && world.app.net.open.has(request);
            await world.proxy.cut(cutMs);
            result.injected = !ctx.finished();
            result.note = `${cutMs} ms${midChunk ? ", mid-chunk" : ", between chunks"}`;
          })();
          await running;
        },
        outcome: done,
      };
    }
    case "browser-restart":
      return {
        planned,
        fire: fire(async () => {
          if (planned.trigger.at === "sent") await sleep(planned.trigger.delayMs);
          const pending = !ctx.finished();
          const at = Date.now();
          await world.app.restart();
          result.injected = pending;
          result.note = `back after ${((Date.now() - at) / 1000).toFixed(1)} s`;
        }),
        outcome: done,
      };
    case "relay-restart":
    case "pacs-restart": {
      const relay = planned.kind === "relay-restart";
      const downMs = relay ? 300 + Math.round(n * 2000) : 1000 + Math.round(n * 3000);
      return {
        planned,
        fire: fire(async () => {
          if (planned.trigger.at === "sent") await sleep(planned.trigger.delayMs);
          const pending = !ctx.finished();
          const at = Date.now();
          result.note = `down ${downMs} ms, not back`;
          await (relay ? world.stack.stopRelay() : world.stack.stopPacs());
          await sleep(downMs);
          await (relay ? world.stack.startRelay() : world.stack.startPacs());
          result.injected = pending;
          result.note = `down ${downMs} ms, back after ${((Date.now() - at) / 1000).toFixed(1)} s`;
        }),
        outcome: done,
      };
    }
    case "pacs-slow": {
      // Below or above the destination's 5 s timeout: slow but delivered, or timed out and retried.
      const slowMs = n < 0.5 ? 1500 + Math.round(n * 4000) : 6000 + Math.round(n * 2000);
      const prefix = `slow-${slowMs}`;
      const reset = destinationReset(world);
      return {
        planned,
        fire: fire(async () => {
          const before = await fakeCount(world, prefix);
          await world.admin.setDestination(`${world.fake.url}/${prefix}/dicom-web`, {
            timeoutSeconds: 5,
          });
          // The PACS is slow for a while: once it has been slow to the relay, it recovers.
          const watch = async () => {
            for (let i = 0; i < 1200 && !reset.done && !ctx.finished(); i++) {
              if ((await fakeCount(world, prefix)) > before) {
                result.injected = true;
                await sleep(slowMs + 500);
                break;
              }
              await sleep(100);
            }
            await reset.restore();
          };
          void watch();
          result.note = `${slowMs} ms per request (timeout 5 s)`;
        }),
        outcome: async () => {
          await reset.restore();
          return done();
        },
        restore: reset.restore,
      };
    }
    case "pacs-413":
    case "pacs-5xx":
    case "pacs-409": {
      const kind = planned.kind;
      const key = `c${ctx.scenario}-${kind.slice(5)}`;
      let prefix = `script-${key}`;
      const reset = destinationReset(world);
      return {
        planned,
        fire: fire(async () => {
          if (kind === "pacs-413") {
            const sizes = ctx.study.sizes;
            // Split: room for each instance, not for all in one request (needs two or more);
            // too large: room for none, each one is refused and explained.
            const split = sizes.length > 1 && n < 0.6;
            const limit = split
              ? Math.max(...sizes) + 16 * 1024 + ctx.scenario
              : Math.floor(Math.min(...sizes) / 2) + ctx.scenario;
            prefix = `limit-${limit}`;
            result.note = split ? "batch over the limit: split" : "every instance over the limit";
          } else if (kind === "pacs-5xx") {
            const status = [500, 502, 503][Math.floor(n * 3)] ?? 503;
            const times = n < 0.5 ? 1 : 2;
            await fetch(`${world.fake.url}/_script/${key}`, {
              method: "PUT",
              body: JSON.stringify(Array.from({ length: times }, () => ({ status }))),
            });
            result.note = `${status} x${times}, then the PACS answers`;
          } else {
            const reason = [0xa700, 0x0110, 0xc000][Math.floor(n * 3)] ?? 0xa700;
            const failed = ctx.study.sopUids.map((uid) => ({
              "00081150": { vr: "UI", Value: ["1.2.840.10008.5.1.4.1.1.2"] },
              "00081155": { vr: "UI", Value: [uid] },
              "00081197": { vr: "US", Value: [reason] },
            }));
            await fetch(`${world.fake.url}/_script/${key}`, {
              method: "PUT",
              body: JSON.stringify([
                { status: 409, body: { "00081198": { vr: "SQ", Value: failed } } },
              ]),
            });
            result.note = `409, Failed SOP Sequence, reason ${reason.toString(16).toUpperCase()}`;
          }
          await world.admin.setDestination(`${world.fake.url}/${prefix}/dicom-web`);
        }),
        outcome: async () => {
          await reset.restore();
          const refusedKey = kind === "pacs-413" ? `${prefix}-refused` : `${key}-refused`;
          result.injected = (await fakeCount(world, refusedKey)) > 0;
          return done();
        },
        restore: reset.restore,
      };
    }
    case "token-expiry":
      return {
        planned,
        fire: fire(async () => {
          const jobId = ctx.jobId();
          if (!jobId || !world.jwtSecret) return;
          const page = await world.app.current();
          const at = Date.now();
          let refused = false;
          const onRefused = () => {
            if (Date.now() >= at) refused = true;
          };
          world.app.net.on("unauthorized", onRefused);
          try {
            const session = await replaceUploadToken(page, jobId, (t) =>
              expiredTwin(world.jwtSecret, t),
            );
            if (session === null) return;
            for (let i = 0; i < 300 && !refused && !ctx.finished(); i++) await sleep(100);
            result.injected = refused;
            result.note = refused ? "refused as expired, then refreshed" : "never used";
          } finally {
            world.app.net.off("unauthorized", onRefused);
          }
        }),
        outcome: done,
      };
    case "two-tabs": {
      const tab: { second: Page | null } = { second: null };
      return {
        planned,
        fire: fire(async () => {
          const context = world.app.context;
          if (!context) return;
          // A browser restart at the same moment closes this context: a new page on a closing
          // persistent context never opens, so give it a bound.
          const second = await within(
            context.newPage(),
            15_000,
            "no second tab: the browser was closing",
          );
          tab.second = second;
          await gotoQueue(second, world.app.url);
          // The second tab hears of the job; only one of the two may send it (Web Lock).
          await second.getByTestId("queue-job").first().waitFor({ timeout: 30_000 });
          result.injected = !ctx.finished();
        }),
        outcome: async () => {
          const outcome = await done();
          await tab.second?.close().catch(() => undefined);
          return outcome;
        },
      };
    }
  }
}
