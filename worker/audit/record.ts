// Writes one audit row. Only ids, counts, bytes, outcomes and reason codes go in: the input type
// has no free-text field, and reason codes are reduced to a safe alphabet, so no patient name,
// id, birth date or note can land here. Writing never fails the caller: an audit row that cannot
// be written is logged (opaque ids) and the request goes on.
import type { Principal } from "../auth/tokens";
import type { AuditEventType, AuditOutcome } from "../contract";
import { log } from "../log";

export interface AuditEntry {
  event: AuditEventType;
  outcome: AuditOutcome;
  clinicId?: string | null;
  userId?: string | null;
  deviceId?: string | null;
  sessionId?: string | null;
  subjectId?: string | null;
  files?: number | null;
  accepted?: number | null;
  stored?: number | null;
  failed?: number | null;
  bytes?: number | null;
  retries?: number | null;
  reasons?: readonly string[];
  /** Events that may be reported twice (a queue message delivered again) are written once. */
  dedupeKey?: string;
  at?: number;
}

const REASON = /^[A-Za-z0-9_.:-]{1,40}$/;

/** Reason codes, deduplicated, each a short code (anything else becomes "other"). */
export function reasonCodes(codes: readonly string[] | undefined): string[] {
  return [...new Set((codes ?? []).map((c) => (REASON.test(c) ? c : "other")))].slice(0, 20);
}

/** Who acted, for an entry: the signed-in principal's clinic, user and device. */
export function actor(p: Principal): Pick<AuditEntry, "clinicId" | "userId" | "deviceId"> {
  return { clinicId: p.clinic, userId: p.sub, deviceId: p.device };
}

const count = (n: number | null | undefined) =>
  n === undefined || n === null || !Number.isSafeInteger(n) ? null : n;

export async function audit(env: Env, e: AuditEntry): Promise<void> {
  const reasons = reasonCodes(e.reasons);
  try {
    await env.DB.prepare(
      `INSERT OR IGNORE INTO audit_events (at, clinic_id, user_id, device_id, event, outcome,
        session_id, subject_id, files, accepted, stored, failed, bytes, retries, reasons,
        dedupe_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
      .bind(
        e.at ?? Date.now(),
        e.clinicId ?? null,
        e.userId ?? null,
        e.deviceId ?? null,
        e.event,
        e.outcome,
        e.sessionId ?? null,
        e.subjectId ?? null,
        count(e.files),
        count(e.accepted),
        count(e.stored),
        count(e.failed),
        count(e.bytes),
        count(e.retries),
        reasons.length > 0 ? reasons.join(",") : null,
        e.dedupeKey ?? null,
      )
      .run();
  } catch (error) {
    log("error", "audit_write_failed", {
      event: e.event,
      session: e.sessionId ?? null,
      error: error instanceof Error ? error.name : "unknown",
    });
  }
}
