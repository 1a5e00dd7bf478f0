import { describe, expect, it } from "vitest";
import {
  MAX_WATCHDOG_RESENDS,
  newSession,
  transition,
  TransitionRefused,
  type Phase,
  type Session,
} from "./session-machine";

const TTL = 1000;
const WD = 300;
const at = (phase: Phase, lastActivity = 0): Session => ({ phase, lastActivity });

describe("upload session state machine", () => {
  it("a new session is receiving and schedules its idle alarm", () => {
    const t = newSession(100, TTL);
    expect(t.session.phase).toEqual({ kind: "receiving" });
    expect(t.effects).toEqual([{ type: "schedule_alarm", at: 1100 }]);
  });

  it("a stored chunk keeps the session receiving and pushes the idle alarm back", () => {
    const t = transition(at({ kind: "receiving" }), { type: "chunk_stored", now: 500 }, TTL, WD);
    expect(t.session).toEqual({ phase: { kind: "receiving" }, lastActivity: 500 });
    expect(t.effects).toEqual([{ type: "schedule_alarm", at: 1500 }]);
  });

  it("a chunk after complete is refused", () => {
    expect(() =>
      transition(at({ kind: "queued", attempts: 0 }), { type: "chunk_stored", now: 1 }, TTL, WD),
    ).toThrow(TransitionRefused);
  });

  it("complete with missing bytes is refused as incomplete", () => {
    try {
      transition(
        at({ kind: "receiving" }),
        { type: "complete_requested", now: 1, allBytesReceived: false },
        TTL,
        WD,
      );
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TransitionRefused);
      expect((e as TransitionRefused).code).toBe("incomplete");
    }
  });

  it("complete with every byte moves to verifying and asks for verification", () => {
    const t = transition(
      at({ kind: "receiving" }),
      { type: "complete_requested", now: 1, allBytesReceived: true },
      TTL,
      WD,
    );
    expect(t.session.phase).toEqual({ kind: "verifying" });
    // The watchdog alarm is set before the check starts, so a check cut short is run again.
    expect(t.effects).toEqual([{ type: "schedule_alarm", at: 1 + WD }, { type: "verify_files" }]);
  });

  it("complete twice is refused the second time (the shell answers with the status)", () => {
    expect(() =>
      transition(
        at({ kind: "verifying" }),
        { type: "complete_requested", now: 1, allBytesReceived: true },
        TTL,
        WD,
      ),
    ).toThrow(TransitionRefused);
  });

  it("verified with accepted files queues the forward", () => {
    const t = transition(
      at({ kind: "verifying" }),
      { type: "verified", now: 2, accepted: 3, needsReupload: false },
      TTL,
      WD,
    );
    expect(t.session.phase).toEqual({ kind: "queued", attempts: 0, dueAt: 2 });
    // The alarm is the forward watchdog while the queue has the session.
    expect(t.effects).toEqual([
      { type: "enqueue_forward" },
      { type: "schedule_alarm", at: 2 + WD },
    ]);
  });

  it("verified with a damaged file goes back to receiving for the re-send", () => {
    const t = transition(
      at({ kind: "verifying" }),
      { type: "verified", now: 2, accepted: 2, needsReupload: true },
      TTL,
      WD,
    );
    expect(t.session.phase).toEqual({ kind: "receiving" });
    expect(t.effects).toEqual([{ type: "schedule_alarm", at: 1002 }]);
  });

  it("verified with nothing acceptable fails and deletes the bytes", () => {
    const t = transition(
      at({ kind: "verifying" }),
      { type: "verified", now: 2, accepted: 0, needsReupload: false },
      TTL,
      WD,
    );
    expect(t.session.phase).toEqual({ kind: "failed", at: 2, reason: "nothing_acceptable" });
    expect(t.effects.map((e) => e.type)).toContain("delete_objects");
  });

  it("verified outside verifying is refused", () => {
    expect(() =>
      transition(
        at({ kind: "receiving" }),
        { type: "verified", now: 2, accepted: 1, needsReupload: false },
        TTL,
        WD,
      ),
    ).toThrow(TransitionRefused);
  });

  it("forward_started counts attempts from queued and from a crashed forwarding", () => {
    const a = transition(
      at({ kind: "queued", attempts: 0 }),
      { type: "forward_started", now: 3 },
      TTL,
      WD,
    );
    expect(a.session.phase).toEqual({ kind: "forwarding", attempts: 1 });
    expect(a.effects).toEqual([{ type: "schedule_alarm", at: 3 + WD }]);
    const b = transition(a.session, { type: "forward_started", now: 4 }, TTL, WD);
    expect(b.session.phase).toEqual({ kind: "forwarding", attempts: 2 });
  });

  it("forward_started in receiving is refused", () => {
    expect(() =>
      transition(at({ kind: "receiving" }), { type: "forward_started", now: 3 }, TTL, WD),
    ).toThrow(TransitionRefused);
  });

  it("a transient failure puts the session back in the queue with its attempt count", () => {
    const t = transition(
      at({ kind: "forwarding", attempts: 2 }),
      { type: "forward_retry", now: 5, delayMs: 2000 },
      TTL,
      WD,
    );
    expect(t.session.phase).toEqual({ kind: "queued", attempts: 2, dueAt: 2005 });
    // The watchdog counts from when the queue is due to deliver, not from now.
    expect(t.effects).toEqual([{ type: "schedule_alarm", at: 2005 + WD }]);
  });

  it("forward_retry outside forwarding is refused", () => {
    expect(() =>
      transition(
        at({ kind: "queued", attempts: 1 }),
        { type: "forward_retry", now: 5, delayMs: 0 },
        TTL,
        WD,
      ),
    ).toThrow(TransitionRefused);
  });

  it("everything stored is delivered: bytes deleted and PHI forgotten at once", () => {
    const t = transition(
      at({ kind: "forwarding", attempts: 1 }),
      { type: "forward_finished", now: 6, stored: 3, failed: 0 },
      TTL,
      WD,
    );
    expect(t.session.phase).toEqual({ kind: "delivered", at: 6 });
    expect(t.effects).toEqual([{ type: "delete_objects" }, { type: "forget_phi" }]);
  });

  it("some stored, some refused is partially delivered and keeps the bytes until expiry", () => {
    const t = transition(
      at({ kind: "forwarding", attempts: 1 }),
      { type: "forward_finished", now: 6, stored: 2, failed: 1 },
      TTL,
      WD,
    );
    expect(t.session.phase).toEqual({ kind: "partially_delivered", at: 6 });
    expect(t.effects).toEqual([{ type: "schedule_alarm", at: 1006 }]);
  });

  it("nothing stored is failed with the PACS's refusal as reason", () => {
    const t = transition(
      at({ kind: "forwarding", attempts: 1 }),
      { type: "forward_finished", now: 6, stored: 0, failed: 2 },
      TTL,
      WD,
    );
    expect(t.session.phase).toEqual({ kind: "failed", at: 6, reason: "pacs_refused" });
  });

  it("forward_finished outside forwarding is refused", () => {
    expect(() =>
      transition(
        at({ kind: "queued", attempts: 0 }),
        { type: "forward_finished", now: 6, stored: 1, failed: 0 },
        TTL,
        WD,
      ),
    ).toThrow(TransitionRefused);
  });

  it("giving up after the last attempt fails the session with the reason", () => {
    const t = transition(
      at({ kind: "forwarding", attempts: 10 }),
      { type: "forward_gave_up", now: 7, reason: "pacs_unreachable" },
      TTL,
      WD,
    );
    expect(t.session.phase).toEqual({ kind: "failed", at: 7, reason: "pacs_unreachable" });
    expect(() =>
      transition(
        at({ kind: "delivered", at: 1 }),
        { type: "forward_gave_up", now: 7, reason: "x" },
        TTL,
        WD,
      ),
    ).toThrow(TransitionRefused);
  });

  it("an admin re-drive queues a failed or partial session again with fresh attempts", () => {
    for (const phase of [
      { kind: "failed", at: 1, reason: "pacs_unreachable" },
      { kind: "partially_delivered", at: 1 },
    ] satisfies Phase[]) {
      const t = transition(at(phase), { type: "redrive", now: 50 }, TTL, WD);
      expect(t.session.phase).toEqual({ kind: "queued", attempts: 0, dueAt: 50 });
      expect(t.effects).toEqual([
        { type: "enqueue_forward" },
        { type: "schedule_alarm", at: 50 + WD },
      ]);
    }
    for (const phase of [
      { kind: "receiving" },
      { kind: "queued", attempts: 2 },
      { kind: "forwarding", attempts: 2 },
      { kind: "delivered", at: 1 },
      { kind: "expired", at: 1 },
    ] satisfies Phase[]) {
      expect(() => transition(at(phase), { type: "redrive", now: 50 }, TTL, WD)).toThrow(
        TransitionRefused,
      );
    }
  });

  it("an alarm before the idle deadline re-arms for the deadline", () => {
    const t = transition(
      at({ kind: "receiving" }, 100),
      { type: "alarm", now: 600, lastActivity: 100, ttlMs: TTL },
      TTL,
      WD,
    );
    expect(t.session.phase).toEqual({ kind: "receiving" });
    expect(t.effects).toEqual([{ type: "schedule_alarm", at: 1100 }]);
  });

  it("an alarm after the idle deadline expires the session and deletes everything", () => {
    for (const phase of [
      { kind: "receiving" },
      { kind: "partially_delivered", at: 1 },
      { kind: "failed", at: 1, reason: "pacs_refused" },
    ] satisfies Phase[]) {
      const t = transition(
        at(phase, 100),
        { type: "alarm", now: 1100, lastActivity: 100, ttlMs: TTL },
        TTL,
        WD,
      );
      expect(t.session.phase).toEqual({ kind: "expired", at: 1100 });
      expect(t.effects).toEqual([{ type: "delete_objects" }, { type: "forget_phi" }]);
    }
  });

  it("an alarm on a delivered or expired session only makes sure the bytes are gone", () => {
    for (const phase of [
      { kind: "delivered", at: 1 },
      { kind: "expired", at: 1 },
    ] satisfies Phase[]) {
      const t = transition(
        at(phase),
        { type: "alarm", now: 5000, lastActivity: 0, ttlMs: TTL },
        TTL,
        WD,
      );
      expect(t.session.phase).toEqual(phase);
      expect(t.effects).toEqual([{ type: "delete_objects" }]);
    }
  });

  describe("verify watchdog (a check cut short by a relay restart)", () => {
    const alarm = (now: number, lastActivity: number) =>
      ({ type: "alarm", now, lastActivity, ttlMs: TTL }) as const;

    it("verifying within the watchdog period: only re-arms for its end", () => {
      const session = at({ kind: "verifying" }, 100);
      const t = transition(session, alarm(399, 100), TTL, WD);
      expect(t.session).toBe(session);
      expect(t.effects).toEqual([{ type: "schedule_alarm", at: 100 + WD }]);
    });

    it("verifying past the watchdog period: checked again, with the next watchdog armed first", () => {
      const t = transition(at({ kind: "verifying" }, 100), alarm(400, 100), TTL, WD);
      expect(t.session).toEqual({ phase: { kind: "verifying" }, lastActivity: 400 });
      expect(t.effects).toEqual([
        { type: "schedule_alarm", at: 400 + WD },
        { type: "verify_files" },
      ]);
    });

    it("past the watchdog period with a check still running here: only looks again later", () => {
      const session = at({ kind: "verifying" }, 100);
      const t = transition(session, { ...alarm(400, 100), checking: true }, TTL, WD);
      expect(t.session).toBe(session);
      expect(t.effects).toEqual([{ type: "schedule_alarm", at: 400 + WD }]);
    });

    it("a verifying session never expires on the idle deadline while nobody checks it", () => {
      const t = transition(at({ kind: "verifying" }, 0), alarm(TTL * 3, 0), TTL, WD);
      expect(t.session.phase).toEqual({ kind: "verifying" });
      expect(t.effects.map((e) => e.type)).toEqual(["schedule_alarm", "verify_files"]);
    });
  });

  describe("forward watchdog (a lost queue message)", () => {
    const alarm = (now: number, lastActivity: number) =>
      ({ type: "alarm", now, lastActivity, ttlMs: TTL }) as const;

    it("queued past its due time plus the watchdog: sent again, attempts kept", () => {
      const t = transition(
        at({ kind: "queued", attempts: 3, dueAt: 500 }, 100),
        alarm(800, 100),
        TTL,
        WD,
      );
      expect(t.session).toEqual({
        phase: { kind: "queued", attempts: 3, dueAt: 800, resent: 1 },
        lastActivity: 800,
      });
      expect(t.effects).toEqual([
        { type: "enqueue_forward" },
        { type: "schedule_alarm", at: 800 + WD },
      ]);
    });

    it("queued before its due time plus the watchdog: only re-arms for that time", () => {
      const session = at({ kind: "queued", attempts: 1, dueAt: 2000 }, 100);
      const t = transition(session, alarm(2200, 100), TTL, WD);
      expect(t.session).toBe(session);
      expect(t.effects).toEqual([{ type: "schedule_alarm", at: 2000 + WD }]);
    });

    it("a queued session stored before dueAt existed counts from its last activity", () => {
      const early = transition(at({ kind: "queued", attempts: 0 }, 100), alarm(399, 100), TTL, WD);
      expect(early.effects).toEqual([{ type: "schedule_alarm", at: 100 + WD }]);
      const late = transition(at({ kind: "queued", attempts: 0 }, 100), alarm(400, 100), TTL, WD);
      expect(late.effects.map((e) => e.type)).toEqual(["enqueue_forward", "schedule_alarm"]);
    });

    it("forwarding with recent progress is left alone; progress moves the watchdog", () => {
      const started = transition(
        at({ kind: "queued", attempts: 0, dueAt: 0 }),
        { type: "forward_started", now: 100 },
        TTL,
        WD,
      );
      const moving = transition(started.session, { type: "forward_progress", now: 350 }, TTL, WD);
      expect(moving.session).toEqual({
        phase: { kind: "forwarding", attempts: 1 },
        lastActivity: 350,
      });
      expect(moving.effects).toEqual([]);
      // The alarm set at start (100 + WD) fires: the forward moved since, so no re-send.
      const t = transition(moving.session, alarm(100 + WD, 350), TTL, WD);
      expect(t.session).toBe(moving.session);
      expect(t.effects).toEqual([{ type: "schedule_alarm", at: 350 + WD }]);
    });

    it("forwarding without progress for the watchdog period: queued again, attempts kept", () => {
      const t = transition(at({ kind: "forwarding", attempts: 4 }, 100), alarm(400, 100), TTL, WD);
      expect(t.session).toEqual({
        phase: { kind: "queued", attempts: 4, dueAt: 400, resent: 1 },
        lastActivity: 400,
      });
      expect(t.effects).toEqual([
        { type: "enqueue_forward" },
        { type: "schedule_alarm", at: 400 + WD },
      ]);
      // The next consumer counts on from there, toward the attempt limit.
      const next = transition(t.session, { type: "forward_started", now: 410 }, TTL, WD);
      expect(next.session.phase).toEqual({ kind: "forwarding", attempts: 5 });
    });

    it("each re-send while still queued is counted; a consumer starting clears the count", () => {
      const again = transition(
        at({ kind: "queued", attempts: 2, dueAt: 0, resent: 2 }, 0),
        alarm(WD, 0),
        TTL,
        WD,
      );
      expect(again.session.phase).toEqual({ kind: "queued", attempts: 2, dueAt: WD, resent: 3 });
      const started = transition(again.session, { type: "forward_started", now: WD + 1 }, TTL, WD);
      expect(started.session.phase).toEqual({ kind: "forwarding", attempts: 3 });
    });

    it("re-sent the most times with no consumer ever starting: failed, bytes kept to expiry", () => {
      const last = at({ kind: "queued", attempts: 1, dueAt: 0, resent: MAX_WATCHDOG_RESENDS }, 0);
      const t = transition(last, alarm(WD, 0), TTL, WD);
      expect(t.session.phase).toEqual({ kind: "failed", at: WD, reason: "relay_stalled" });
      expect(t.effects).toEqual([{ type: "schedule_alarm", at: WD + TTL }]);
      // An admin's re-drive starts over.
      const again = transition(t.session, { type: "redrive", now: WD + 1 }, TTL, WD);
      expect(again.session.phase).toEqual({ kind: "queued", attempts: 0, dueAt: WD + 1 });
    });

    it("a queued or forwarding session is never expired by the idle deadline", () => {
      for (const phase of [
        { kind: "queued", attempts: 1, dueAt: 0 },
        { kind: "forwarding", attempts: 1 },
      ] satisfies Phase[]) {
        const t = transition(at(phase, 0), alarm(5 * TTL, 0), TTL, WD);
        expect(t.session.phase.kind).toBe("queued");
        expect(t.effects.map((e) => e.type)).toEqual(["enqueue_forward", "schedule_alarm"]);
      }
    });

    it("progress outside forwarding changes nothing", () => {
      for (const phase of [
        { kind: "queued", attempts: 1, dueAt: 0 },
        { kind: "delivered", at: 1 },
      ] satisfies Phase[]) {
        const session = at(phase, 7);
        const t = transition(session, { type: "forward_progress", now: 99 }, TTL, WD);
        expect(t).toEqual({ session, effects: [] });
      }
    });

    it("a receiving session still expires on its idle deadline, not the watchdog", () => {
      const idle = at({ kind: "receiving" }, 100);
      expect(transition(idle, alarm(100 + WD, 100), TTL, WD).effects).toEqual([
        { type: "schedule_alarm", at: 100 + TTL },
      ]);
      expect(transition(idle, alarm(100 + TTL, 100), TTL, WD).session.phase).toEqual({
        kind: "expired",
        at: 100 + TTL,
      });
    });

    it("a delivered session's alarm (the watchdog's, left set) still deletes the bytes", () => {
      const delivered = at({ kind: "delivered", at: 50 }, 50);
      const t = transition(delivered, alarm(50 + WD, 50), TTL, WD);
      expect(t).toEqual({ session: delivered, effects: [{ type: "delete_objects" }] });
    });
  });
});
