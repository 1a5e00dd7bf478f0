// /api/reports: the PWA's queue reports each settled job (time queued to settled, whether it was
// queued offline, retries, bytes re-sent, outcome) for the admin dashboard. Any signed-in user of
// the clinic may report; a report naming an upload session must name one of their own clinic's.
// Reports are idempotent: the queue sends one again until it hears an answer.
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { requireAccess } from "../auth/middleware";
import { JobReport, type JobReportAck } from "../contract";
import { AppError } from "../errors";
import { log } from "../log";
import { jsonBody } from "../validate";

export const reports = new Hono<AppEnv>().use(requireAccess).post("/", async (c) => {
  const principal = c.get("principal");
  const report = await jsonBody(c, JobReport);
  if (report.sessionId !== null) {
    const row = await c.env.DB.prepare("SELECT clinic_id FROM upload_sessions WHERE id = ?")
      .bind(report.sessionId)
      .first<{ clinic_id: string }>();
    if (row?.clinic_id !== principal.clinic) {
      throw new AppError("not_found", "This upload does not exist.");
    }
  }
  const result = await c.env.DB.prepare(
    `INSERT INTO job_reports (clinic_id, ref, user_id, device_id, session_id, outcome,
       queued_offline, queued_at, settled_at, retries, bytes_resent, files, bytes, received_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (clinic_id, ref) DO NOTHING`,
  )
    .bind(
      principal.clinic,
      report.ref,
      principal.sub,
      principal.device,
      report.sessionId,
      report.outcome,
      report.queuedOffline ? 1 : 0,
      report.queuedAt,
      report.settledAt,
      report.retries,
      report.bytesResent,
      report.files,
      report.bytes,
      Date.now(),
    )
    .run();
  const recorded = result.meta.changes === 1;
  log("info", "job_reported", {
    ref: report.ref,
    session: report.sessionId,
    outcome: report.outcome,
    offline: report.queuedOffline,
    retries: report.retries,
    recorded,
  });
  const body: JobReportAck = { ref: report.ref, recorded };
  return c.json(body);
});
