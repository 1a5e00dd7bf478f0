// /api/admin/audit and /api/admin/metrics: the admin's clinic's audit log (JSON, or CSV to
// download) and the dashboard figures computed from it. No patient data is ever in either.
import { Hono } from "hono";
import type { z } from "zod";
import type { AppEnv } from "../app-env";
import { metrics } from "../audit/metrics";
import { auditRows, toCsv } from "../audit/query";
import { requireAccess, requireAdmin } from "../auth/middleware";
import { AuditQuery, MetricsQuery, type AuditPage, type Metrics } from "../contract";
import { AppError } from "../errors";

function invalid(error: z.ZodError): never {
  const where = error.issues[0]?.path.join(".") || "query";
  throw new AppError(
    "bad_request",
    `The filter "${where}" is not valid. Dates are ISO 8601 (2026-01-31 or 2026-01-31T08:00:00Z) or milliseconds since 1970; outcomes and events are the names the audit log shows.`,
    { cause: error },
  );
}

export const adminAudit = new Hono<AppEnv>()
  .use(requireAccess, requireAdmin)
  .get("/audit", async (c) => {
    const parsed = AuditQuery.safeParse(c.req.query());
    if (!parsed.success) invalid(parsed.error);
    const q = parsed.data;
    const rows = await auditRows(c.env, c.get("principal").clinic, q);
    if (q.format === "csv") {
      const day = new Date().toISOString().slice(0, 10);
      return c.body(toCsv(rows), 200, {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="relaypacs-audit-${day}.csv"`,
      });
    }
    const body: AuditPage = { rows };
    return c.json(body);
  })
  .get("/metrics", async (c) => {
    const parsed = MetricsQuery.safeParse(c.req.query());
    if (!parsed.success) invalid(parsed.error);
    const body: Metrics = await metrics(c.env, c.get("principal").clinic, parsed.data);
    return c.json(body);
  });
