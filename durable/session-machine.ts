// The upload session's life, as a pure function: transition(state, event) returns the next state
// and the effects the Durable Object shell must run. No I/O, no clock: both come in as events.
import type { SessionState } from "../worker/contract";

export type Phase =
  | { kind: "receiving" }
  | { kind: "verifying" }
  // dueAt: when the queue should deliver the forward message (absent in sessions stored before
  // the watchdog existed; lastActivity stands in for it).
  // resent: times the watchdog sent the forward again since a consumer last started it (the
  // status then says the sending was interrupted, not that the PACS was unreachable).
  | { kind: "queued"; attempts: number; dueAt?: number; resent?: number }
  | { kind: "forwarding"; attempts: number }
  | { kind: "delivered"; at: number }
  | { kind: "partially_delivered"; at: number }
  | { kind: "failed"; at: number; reason: string }
  | { kind: "expired"; at: number };

export type Event =
  | { type: "chunk_stored"; now: number }
  | { type: "complete_requested"; now: number; allBytesReceived: boolean }
  | { type: "verified"; now: number; accepted: number; needsReupload: boolean }
  | { type: "forward_started"; now: number }
  | { type: "forward_retry"; now: number; delayMs: number }
  | { type: "forward_progress"; now: number }
  | { type: "forward_finished"; now: number; stored: number; failed: number }
  | { type: "forward_gave_up"; now: number; reason: string }
  | { type: "redrive"; now: number }
  // checking: a file check is running in this instance right now (the shell knows, in memory).
  | { type: "alarm"; now: number; lastActivity: number; ttlMs: number; checking?: boolean };

export type Effect =
  | { type: "verify_files" }
  | { type: "enqueue_forward" }
  | { type: "delete_objects" }
  | { type: "forget_phi" }
  | { type: "schedule_alarm"; at: number };

export interface Session {
  phase: Phase;
  lastActivity: number;
}

export interface Transition {
  session: Session;
  effects: Effect[];
}

/** A request the session cannot take in its current phase; `code` maps to a plain-language error. */
export class TransitionRefused extends Error {
  constructor(
    readonly code: "not_receiving" | "incomplete" | "not_forwardable",
    readonly phase: Phase["kind"],
  ) {
    super(`${code} in phase ${phase}`);
    this.name = "TransitionRefused";
  }
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}

const TERMINAL: ReadonlySet<Phase["kind"]> = new Set([
  "delivered",
  "partially_delivered",
  "failed",
  "expired",
]);

export function isTerminal(phase: Phase): boolean {
  return TERMINAL.has(phase.kind);
}

export function newSession(now: number, ttlMs: number): Transition {
  return {
    session: { phase: { kind: "receiving" }, lastActivity: now },
    effects: [{ type: "schedule_alarm", at: now + ttlMs }],
  };
}

/**
 * When a queued or forwarding session counts as lost: its message may have vanished (a local
 * queue is memory only; a restart drops it) or its consumer died without a word. Queued: the
 * watchdog period after the queue was due to deliver; forwarding: after the last progress.
 * Verifying: the check runs inside the request that completed the upload; a relay restart
 * mid-check leaves the session verifying with nobody checking, so it counts as lost too.
 */
export function watchdogAt(session: Session, watchdogMs: number): number | null {
  const { phase, lastActivity } = session;
  if (phase.kind === "verifying") return lastActivity + watchdogMs;
  if (phase.kind === "queued")
    return Math.max(phase.dueAt ?? lastActivity, lastActivity) + watchdogMs;
  if (phase.kind === "forwarding") return lastActivity + watchdogMs;
  return null;
}

/** Watchdog re-sends in a row, with no consumer starting in between, before the session fails. */
export const MAX_WATCHDOG_RESENDS = 6;

/**
 * `ttlMs`: how long an idle session lives. `watchdogMs`: how long a queued or forwarding session
 * may go without progress before its forward is sent to the queue again (see watchdogAt).
 */
export function transition(
  session: Session,
  event: Event,
  ttlMs: number,
  watchdogMs: number,
): Transition {
  const { phase } = session;
  const touched = (next: Phase, effects: Effect[] = []): Transition => ({
    session: { phase: next, lastActivity: event.now },
    effects,
  });
  switch (event.type) {
    case "chunk_stored":
      if (phase.kind !== "receiving") throw new TransitionRefused("not_receiving", phase.kind);
      return touched(phase, [{ type: "schedule_alarm", at: event.now + ttlMs }]);
    case "complete_requested":
      if (phase.kind !== "receiving") throw new TransitionRefused("not_receiving", phase.kind);
      if (!event.allBytesReceived) throw new TransitionRefused("incomplete", phase.kind);
      // The alarm is set before the check starts: if the relay stops mid-check, it runs it again.
      return touched({ kind: "verifying" }, [
        { type: "schedule_alarm", at: event.now + watchdogMs },
        { type: "verify_files" },
      ]);
    case "verified":
      if (phase.kind !== "verifying") throw new TransitionRefused("not_forwardable", phase.kind);
      // A whole-file checksum mismatch sends the session back to receiving: the client re-sends
      // that file; the files that verified keep their verdicts.
      if (event.needsReupload) {
        return touched({ kind: "receiving" }, [{ type: "schedule_alarm", at: event.now + ttlMs }]);
      }
      if (event.accepted === 0) {
        return touched({ kind: "failed", at: event.now, reason: "nothing_acceptable" }, [
          { type: "delete_objects" },
          { type: "schedule_alarm", at: event.now + ttlMs },
        ]);
      }
      return touched({ kind: "queued", attempts: 0, dueAt: event.now }, [
        { type: "enqueue_forward" },
        { type: "schedule_alarm", at: event.now + watchdogMs },
      ]);
    case "forward_started":
      // The session has one alarm: while the forward is in the queue's hands it is the watchdog.
      if (phase.kind === "queued" || phase.kind === "forwarding") {
        return touched({ kind: "forwarding", attempts: phase.attempts + 1 }, [
          { type: "schedule_alarm", at: event.now + watchdogMs },
        ]);
      }
      throw new TransitionRefused("not_forwardable", phase.kind);
    case "forward_progress":
      // A batch's outcomes were recorded: a long forward that is moving is not lost. No new
      // alarm: the one set is earlier than the new watchdog time and re-arms for it when it fires.
      if (phase.kind !== "forwarding") return { session, effects: [] };
      return touched(phase);
    case "forward_retry": {
      if (phase.kind !== "forwarding") throw new TransitionRefused("not_forwardable", phase.kind);
      const dueAt = event.now + event.delayMs;
      return touched({ kind: "queued", attempts: phase.attempts, dueAt }, [
        { type: "schedule_alarm", at: dueAt + watchdogMs },
      ]);
    }
    case "forward_finished": {
      if (phase.kind !== "forwarding") throw new TransitionRefused("not_forwardable", phase.kind);
      if (event.failed === 0) {
        // Confirmed delivery: the bytes and the patient data have no reason to stay.
        return touched({ kind: "delivered", at: event.now }, [
          { type: "delete_objects" },
          { type: "forget_phi" },
        ]);
      }
      const next: Phase =
        event.stored > 0
          ? { kind: "partially_delivered", at: event.now }
          : { kind: "failed", at: event.now, reason: "pacs_refused" };
      // Keep the bytes until expiry so the user can retry the failed files.
      return touched(next, [{ type: "schedule_alarm", at: event.now + ttlMs }]);
    }
    case "forward_gave_up":
      if (phase.kind !== "forwarding" && phase.kind !== "queued") {
        throw new TransitionRefused("not_forwardable", phase.kind);
      }
      return touched({ kind: "failed", at: event.now, reason: event.reason }, [
        { type: "schedule_alarm", at: event.now + ttlMs },
      ]);
    case "redrive":
      // An admin sends what the PACS has not confirmed once more, with a fresh set of attempts.
      // Only while the bytes are still here: a failed or partial session, before it expires.
      if (phase.kind !== "failed" && phase.kind !== "partially_delivered") {
        throw new TransitionRefused("not_forwardable", phase.kind);
      }
      return touched({ kind: "queued", attempts: 0, dueAt: event.now }, [
        { type: "enqueue_forward" },
        { type: "schedule_alarm", at: event.now + watchdogMs },
      ]);
    case "alarm": {
      if (phase.kind === "delivered" || phase.kind === "expired") {
        return { session, effects: [{ type: "delete_objects" }] };
      }
      const lostAt = watchdogAt(session, watchdogMs);
      if (lostAt !== null && event.now < lostAt) {
        return { session, effects: [{ type: "schedule_alarm", at: lostAt }] };
      }
      if (phase.kind === "verifying") {
        // A long check still running here is not lost: look again a watchdog period later.
        if (event.checking) {
          return { session, effects: [{ type: "schedule_alarm", at: event.now + watchdogMs }] };
        }
        // Nobody finished the check (a restart stopped it): check again. Safe to repeat: it
        // reads the stored bytes and rewrites the same verdicts.
        return touched(phase, [
          { type: "schedule_alarm", at: event.now + watchdogMs },
          { type: "verify_files" },
        ]);
      }
      if (lostAt !== null && (phase.kind === "queued" || phase.kind === "forwarding")) {
        // The forward message is presumed lost: send it again. Safe to repeat: only instances
        // without a stored outcome go out, the PACS keys them by SOP Instance UID, and the
        // attempts carried over still count toward the limit.
        const resent = (phase.kind === "queued" ? (phase.resent ?? 0) : 0) + 1;
        if (resent > MAX_WATCHDOG_RESENDS) {
          // Sent again and again and no consumer ever started it: the relay's queue is not
          // working. Say so and stop; the bytes stay until expiry for a retry or a re-drive.
          return touched({ kind: "failed", at: event.now, reason: "relay_stalled" }, [
            { type: "schedule_alarm", at: event.now + event.ttlMs },
          ]);
        }
        return touched({ kind: "queued", attempts: phase.attempts, dueAt: event.now, resent }, [
          { type: "enqueue_forward" },
          { type: "schedule_alarm", at: event.now + watchdogMs },
        ]);
      }
      const idleUntil = session.lastActivity + event.ttlMs;
      if (event.now < idleUntil) {
        return { session, effects: [{ type: "schedule_alarm", at: idleUntil }] };
      }
      return {
        session: { phase: { kind: "expired", at: event.now }, lastActivity: session.lastActivity },
        effects: [{ type: "delete_objects" }, { type: "forget_phi" }],
      };
    }
    default:
      return assertNever(event);
  }
}

export function publicState(phase: Phase): SessionState {
  return phase.kind;
}
