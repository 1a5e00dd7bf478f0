import { describe, expect, it } from "vitest";
import type { Phase } from "./session-machine";
import { describeSession } from "./session-status";
import type { SessionMeta } from "./session-store";

const meta = (phase: Phase): SessionMeta => ({
  sessionId: "s1",
  ownerId: "u1",
  clinicId: "c1",
  createdAt: 0,
  updatedAt: 0,
  lastActivity: 0,
  ttlMs: 1000,
  phase,
  chunkSize: { min: 1, max: 2, preferred: 1 },
  warnings: [],
});

describe("the session's sentence", () => {
  it("a forward sent again by the watchdog says the sending was interrupted, not the PACS", () => {
    const resent = describeSession(meta({ kind: "queued", attempts: 2, dueAt: 0, resent: 1 }), []);
    expect(resent.message).toBe("Sending was interrupted. RelayPACS is sending it again.");
    const retried = describeSession(meta({ kind: "queued", attempts: 2, dueAt: 0 }), []);
    expect(retried.message).toBe(
      "The PACS could not be reached. RelayPACS will try again automatically.",
    );
    const first = describeSession(meta({ kind: "queued", attempts: 0, dueAt: 0 }), []);
    expect(first.message).toBe("Checked. Waiting to be sent to the PACS.");
  });

  it("a study the relay's queue never started says so, and what to do", () => {
    const stalled = describeSession(meta({ kind: "failed", at: 0, reason: "relay_stalled" }), []);
    expect(stalled.message).toMatch(/^RelayPACS could not start sending this study/);
    expect(stalled.message).toMatch(/Send it again/);
    const refused = describeSession(meta({ kind: "failed", at: 0, reason: "pacs_refused" }), []);
    expect(refused.message).toBe("The PACS did not accept this study; each file says why.");
  });

  it("images the PACS cannot be asked to confirm are not called refused", () => {
    const file = (code: string) => ({
      index: 0,
      name: "a.dcm",
      size: 1,
      received: [],
      missing: [],
      outcome: { status: "failed" as const, code, message: "words" },
    });
    const failed = meta({ kind: "failed", at: 0, reason: "pacs_refused" });
    expect(describeSession(failed, [file("confirm_unsupported")]).message).toMatch(
      /^The PACS may hold these images, but it cannot be asked to confirm them/,
    );
    expect(describeSession(failed, [file("A700")]).message).toBe(
      "The PACS did not accept this study; each file says why.",
    );
  });
});
