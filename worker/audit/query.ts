// Reading the audit log: one clinic's rows (never another's), filtered, as JSON rows or CSV.
import { z } from "zod";
import { AuditEventType, AuditOutcome, type AuditQuery, type AuditRow } from "../contract";

const Row = z.object({
  id: z.number().int(),
  at: z.number().int(),
  event: AuditEventType,
  outcome: AuditOutcome,
  user_id: z.string().nullable(),
  user_name: z.string().nullable(),
  device_id: z.string().nullable(),
  session_id: z.string().nullable(),
  subject_id: z.string().nullable(),
  files: z.number().int().nullable(),
  accepted: z.number().int().nullable(),
  stored: z.number().int().nullable(),
  failed: z.number().int().nullable(),
  bytes: z.number().int().nullable(),
  retries: z.number().int().nullable(),
  reasons: z.string().nullable(),
});

function toRow(r: z.infer<typeof Row>): AuditRow {
  return {
    id: r.id,
    at: r.at,
    event: r.event,
    outcome: r.outcome,
    userId: r.user_id,
    userName: r.user_name,
    deviceId: r.device_id,
    sessionId: r.session_id,
    subjectId: r.subject_id,
    files: r.files,
    accepted: r.accepted,
    stored: r.stored,
    failed: r.failed,
    bytes: r.bytes,
    retries: r.retries,
    reasons: r.reasons ? r.reasons.split(",") : [],
  };
}

export async function auditRows(env: Env, clinicId: string, q: AuditQuery): Promise<AuditRow[]> {
  const where = ["a.clinic_id = ?"];
  const params: Array<string | number> = [clinicId];
  const add = (sql: string, value: string | number | undefined) => {
    if (value === undefined) return;
    where.push(sql);
    params.push(value);
  };
  add("a.at >= ?", q.from);
  add("a.at <= ?", q.to);
  add("a.user_id = ?", q.user);
  add("a.outcome = ?", q.outcome);
  add("a.event = ?", q.event);
  const { results } = await env.DB.prepare(
    `SELECT a.id, a.at, a.event, a.outcome, a.user_id, u.name AS user_name, a.device_id,
      a.session_id, a.subject_id, a.files, a.accepted, a.stored, a.failed, a.bytes, a.retries,
      a.reasons FROM audit_events a LEFT JOIN users u ON u.id = a.user_id
      WHERE ${where.join(" AND ")} ORDER BY a.at DESC, a.id DESC LIMIT ?`,
  )
    .bind(...params, q.limit)
    .all();
  return results.map((r) => toRow(Row.parse(r)));
}

const COLUMNS: Array<[string, (r: AuditRow) => string | number | null]> = [
  ["time", (r) => new Date(r.at).toISOString()],
  ["event", (r) => r.event],
  ["outcome", (r) => r.outcome],
  ["user_id", (r) => r.userId],
  ["user_name", (r) => r.userName],
  ["device_id", (r) => r.deviceId],
  ["session_id", (r) => r.sessionId],
  ["subject_id", (r) => r.subjectId],
  ["files", (r) => r.files],
  ["accepted", (r) => r.accepted],
  ["stored", (r) => r.stored],
  ["failed", (r) => r.failed],
  ["bytes", (r) => r.bytes],
  ["retries", (r) => r.retries],
  ["reasons", (r) => r.reasons.join(" ")],
];

/** One CSV field: quoted when needed; a leading = + - @ is neutralised so no spreadsheet runs it. */
export function csvField(value: string | number | null): string {
  if (value === null) return "";
  if (typeof value === "number") return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(rows: AuditRow[]): string {
  const lines = [COLUMNS.map(([name]) => name).join(",")];
  for (const r of rows) lines.push(COLUMNS.map(([, get]) => csvField(get(r))).join(","));
  return `${lines.join("\r\n")}\r\n`;
}
