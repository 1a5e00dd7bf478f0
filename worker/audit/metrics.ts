// The admin dashboard's figures, computed from one clinic's audit rows: upload success rate (the
// last outcome of each finished session), mean forwarding retries per study, time from a device's
// first sign-in to its first delivered study, volume per clinic and per day, and the sessions
// that need an admin's attention (candidates for re-drive). From the PWA's job reports
// (job_reports): the offline queue completion rate and the client's retries per study.
import { z } from "zod";
import { AuditOutcome, type Metrics } from "../contract";

export const DEFAULT_WINDOW_MS = 30 * 86_400_000;
const FINAL_EVENTS = "('session_delivered', 'session_partially_delivered', 'session_failed')";

const Final = z.object({
  session_id: z.string(),
  outcome: AuditOutcome,
  at: z.number().int(),
  reasons: z.string().nullable(),
  retries: z.number().int().nullable(),
});
const Created = z.object({
  day: z.string(),
  sessions: z.number().int(),
  bytes: z.number().nullable(),
});
const FirstUpload = z.object({ created_at: z.number().int(), first: z.number().int().nullable() });
const ReportRow = z.object({
  outcome: z.string(),
  queued_offline: z.number().int(),
  retries: z.number().int(),
  received_at: z.number().int(),
});
type ReportRow = z.infer<typeof ReportRow>;

/**
 * The queue's figures from the job reports. A job the person cancelled counts in neither: it
 * says nothing about whether the queue delivers. Completion: of the jobs queued offline, the
 * share the PACS took in full. Retries: the client's failed-and-retried requests per study.
 */
export function queueFigures(
  rows: readonly ReportRow[],
): Pick<Metrics, "offlineQueue" | "clientRetries" | "offlineDaily"> {
  const settled = rows.filter((r) => r.outcome !== "cancelled");
  const offline = settled.filter((r) => r.queued_offline === 1);
  const delivered = offline.filter((r) => r.outcome === "delivered");
  const byDay = new Map<string, { day: string; queued: number; delivered: number }>();
  for (const r of offline) {
    const day = dayOf(r.received_at);
    const d = byDay.get(day) ?? { day, queued: 0, delivered: 0 };
    d.queued++;
    if (r.outcome === "delivered") d.delivered++;
    byDay.set(day, d);
  }
  return {
    offlineQueue: {
      queued: offline.length,
      delivered: delivered.length,
      completionRate: offline.length > 0 ? delivered.length / offline.length : null,
    },
    clientRetries: {
      studies: settled.length,
      meanPerStudy:
        settled.length > 0 ? settled.reduce((n, r) => n + r.retries, 0) / settled.length : null,
    },
    offlineDaily: [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day)),
  };
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export async function metrics(
  env: Env,
  clinicId: string,
  window: { from?: number; to?: number },
): Promise<Metrics> {
  const to = window.to ?? Date.now();
  const from = window.from ?? to - DEFAULT_WINDOW_MS;
  const db = env.DB;
  const [finals, retries, created, devices, reports] = await db.batch([
    // The last outcome of each session that finished in the window.
    db
      .prepare(
        `SELECT a.session_id, a.outcome, a.at, a.reasons, a.retries FROM audit_events a
         WHERE a.clinic_id = ? AND a.event IN ${FINAL_EVENTS} AND a.at BETWEEN ? AND ?
         AND a.id = (SELECT MAX(b.id) FROM audit_events b
                     WHERE b.session_id = a.session_id AND b.event IN ${FINAL_EVENTS})
         ORDER BY a.at DESC`,
      )
      .bind(clinicId, from, to),
    // Retries of every forwarding round (re-drives included), per session.
    db
      .prepare(
        `SELECT session_id, SUM(retries) AS retries FROM audit_events
         WHERE clinic_id = ? AND event IN ${FINAL_EVENTS} AND at BETWEEN ? AND ?
         AND retries IS NOT NULL GROUP BY session_id`,
      )
      .bind(clinicId, from, to),
    db
      .prepare(
        `SELECT strftime('%Y-%m-%d', at / 1000, 'unixepoch') AS day, COUNT(*) AS sessions,
         SUM(bytes) AS bytes FROM audit_events
         WHERE clinic_id = ? AND event = 'session_created' AND at BETWEEN ? AND ? GROUP BY day`,
      )
      .bind(clinicId, from, to),
    db
      .prepare(
        `SELECT d.created_at, (SELECT MIN(a.at) FROM audit_events a
           WHERE a.device_id = d.id AND a.event = 'session_delivered') AS first
         FROM devices d WHERE d.clinic_id = ? AND d.created_at BETWEEN ? AND ?`,
      )
      .bind(clinicId, from, to),
    // Jobs the PWA's queue reported settled in the window (by the server's clock).
    db
      .prepare(
        `SELECT outcome, queued_offline, retries, received_at FROM job_reports
         WHERE clinic_id = ? AND received_at BETWEEN ? AND ?`,
      )
      .bind(clinicId, from, to),
  ]);
  const last = (finals?.results ?? []).map((r) => Final.parse(r));
  const retryRows = z.array(z.object({ retries: z.number().int() })).parse(retries?.results ?? []);
  const days = (created?.results ?? []).map((r) => Created.parse(r));
  const firsts = (devices?.results ?? []).map((r) => FirstUpload.parse(r));
  const queue = queueFigures((reports?.results ?? []).map((r) => ReportRow.parse(r)));

  const delivered = last.filter((r) => r.outcome === "delivered");
  const failed = last.filter((r) => r.outcome !== "delivered");
  const daily = new Map(
    days.map((d) => [d.day, { day: d.day, sessions: d.sessions, bytes: d.bytes ?? 0 }]),
  );
  const dayRow = (day: string) => ({
    ...(daily.get(day) ?? { day, sessions: 0, bytes: 0 }),
    delivered: delivered.filter((r) => dayOf(r.at) === day).length,
    failed: failed.filter((r) => dayOf(r.at) === day).length,
  });
  const allDays = [...new Set([...daily.keys(), ...last.map((r) => dayOf(r.at))])].sort();
  const waits = firsts.flatMap((d) => (d.first === null ? [] : [d.first - d.created_at]));

  return {
    from,
    to,
    sessionsFinished: last.length,
    uploadSuccessRate: last.length > 0 ? delivered.length / last.length : null,
    meanRetriesPerStudy:
      retryRows.length > 0 ? retryRows.reduce((n, r) => n + r.retries, 0) / retryRows.length : null,
    timeToFirstUpload: { devices: waits.length, medianMs: median(waits) },
    ...queue,
    volume: [
      {
        clinicId,
        sessions: days.reduce((n, d) => n + d.sessions, 0),
        bytes: days.reduce((n, d) => n + (d.bytes ?? 0), 0),
        delivered: delivered.length,
        failed: failed.length,
      },
    ],
    daily: allDays.map(dayRow),
    needsAttention: failed.slice(0, 50).map((r) => ({
      sessionId: r.session_id,
      at: r.at,
      outcome: r.outcome,
      reasons: r.reasons ? r.reasons.split(",") : [],
    })),
  };
}
