// Audit rows for upload sessions: created and completed (from the upload routes), and their final
// outcome (from the forwarding queue, once a session is delivered, partly delivered or failed).
// Counts, bytes, retries and reason codes only; file names never leave the session object.
import { z } from "zod";
import type { Principal } from "../auth/tokens";
import {
  ForwardMessage,
  SessionStatus,
  type AuditEventType,
  type AuditOutcome,
  type SessionState,
} from "../contract";
import { log } from "../log";
import { actor, audit } from "./record";

export async function auditSessionCreated(
  env: Env,
  principal: Principal,
  sessionId: string,
  files: number,
  bytes: number,
): Promise<void> {
  await audit(env, {
    event: "session_created",
    outcome: "ok",
    ...actor(principal),
    sessionId,
    files,
    bytes,
  });
}

const FINAL: Partial<Record<SessionState, [AuditEventType, AuditOutcome]>> = {
  delivered: ["session_delivered", "delivered"],
  partially_delivered: ["session_partially_delivered", "partially_delivered"],
  failed: ["session_failed", "failed"],
};

const sum = (ns: number[]) => ns.reduce((a, b) => a + b, 0);

function figures(status: SessionStatus) {
  const stored = status.files.filter(
    (f) => f.outcome?.status === "stored" || f.outcome?.status === "warning",
  );
  const pacsReasons = status.files.flatMap((f) =>
    f.outcome && (f.outcome.status === "failed" || f.outcome.status === "warning")
      ? [f.outcome.code ?? f.outcome.status]
      : [],
  );
  const refusedReasons = status.files.flatMap((f) =>
    f.verdict && !f.verdict.accepted ? [f.verdict.code] : [],
  );
  return {
    files: status.counts.files,
    accepted: status.counts.accepted,
    stored: status.counts.stored,
    failed: status.counts.failed,
    storedBytes: sum(stored.map((f) => f.size)),
    totalBytes: sum(status.files.map((f) => f.size)),
    pacsReasons,
    refusedReasons,
  };
}

const DeviceRow = z.object({ device_id: z.string().nullable() });

async function deviceOfSession(env: Env, sessionId: string): Promise<string | null> {
  const row = await env.DB.prepare(
    "SELECT device_id FROM audit_events WHERE session_id = ? AND event = 'session_created' LIMIT 1",
  )
    .bind(sessionId)
    .first();
  return row ? DeviceRow.parse(row).device_id : null;
}

/** A session's final outcome, once per state change (safe to call for any status). */
async function auditFinal(
  env: Env,
  who: { clinicId: string; userId: string; deviceId: string | null },
  status: SessionStatus,
  retries: number | null,
): Promise<void> {
  const final = FINAL[status.state];
  if (!final) return;
  const f = figures(status);
  await audit(env, {
    event: final[0],
    outcome: final[1],
    ...who,
    sessionId: status.sessionId,
    files: f.files,
    accepted: f.accepted,
    stored: f.stored,
    failed: f.failed,
    bytes: f.storedBytes,
    retries,
    reasons: f.pacsReasons.length > 0 ? f.pacsReasons : f.refusedReasons,
    dedupeKey: `${status.sessionId}:${status.state}:${status.updatedAt}`,
  });
}

/**
 * After complete: the verdicts; and the outcome too when nothing could be sent at all. `returned`
 * is the status as the session object returned it over RPC, parsed here.
 */
export async function auditSessionCompleted(
  env: Env,
  principal: Principal,
  returned: unknown,
): Promise<void> {
  const status = SessionStatus.parse(returned);
  const f = figures(status);
  await audit(env, {
    event: "session_completed",
    outcome: status.state === "failed" ? "failed" : "ok",
    ...actor(principal),
    sessionId: status.sessionId,
    files: f.files,
    accepted: f.accepted,
    bytes: f.totalBytes,
    reasons: f.refusedReasons,
  });
  const who = { clinicId: principal.clinic, userId: principal.sub, deviceId: principal.device };
  if (status.state === "failed") await auditFinal(env, who, status, 0);
}

/**
 * A session's final outcome as its object reports it (`getStatus`), if it has one: for the queue
 * consumers, and for the session's own alarm when it gives up on a queue that never started it.
 */
export async function auditSessionOutcome(
  env: Env,
  session: { status: unknown; ownerId: string; clinicId: string },
  retries: number | null,
): Promise<void> {
  const status = SessionStatus.parse(session.status);
  if (!FINAL[status.state]) return;
  const who = {
    clinicId: session.clinicId,
    userId: session.ownerId,
    deviceId: await deviceOfSession(env, status.sessionId),
  };
  await auditFinal(env, who, status, retries);
}

/**
 * Called by the queue consumers after each forwarding message: records the session's outcome if
 * the message left it delivered, partly delivered or failed. Never throws.
 */
export async function auditForwardOutcome(
  env: Env,
  message: Message<unknown>,
  deadLettered = false,
): Promise<void> {
  const parsed = ForwardMessage.safeParse(message.body);
  if (!parsed.success) return;
  const sessionId = parsed.data.sessionId;
  try {
    const stub = env.UPLOAD_SESSION.get(env.UPLOAD_SESSION.idFromName(sessionId));
    const result = await stub.getStatus();
    if (!result.ok) return;
    // A dead-lettered message's attempts count the dead-letter queue's deliveries, not retries.
    await auditSessionOutcome(env, result, deadLettered ? null : message.attempts - 1);
  } catch (error) {
    log("warn", "audit_forward_failed", {
      session: sessionId,
      error: error instanceof Error ? error.name : "unknown",
    });
  }
}
