// /api/admin: what a clinic's admin manages. Here: the clinic's PACS destination, and sending a
// failed upload again (re-drive); people, enrollment codes and the audit log are in the
// admin-*.ts sub-apps mounted on the same prefix. Every route needs an admin's access token and
// acts on that admin's own clinic only.
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { actor, audit } from "../audit/record";
import { requireAccess, requireAdmin } from "../auth/middleware";
import { DestinationConfig, type Destination } from "../contract";
import { AppError, unwrap } from "../errors";
import { defaultDestination, destinationFor } from "../forward/destination";
import { log } from "../log";
import { jsonBody } from "../validate";

const clinicDestinationId = (clinicId: string) => `clinic-${clinicId}`;

export const admin = new Hono<AppEnv>()
  .use(requireAccess, requireAdmin)
  .get("/destination", async (c) => {
    const clinic = c.get("principal").clinic;
    const destination: Destination = await destinationFor(c.env, clinic);
    return c.json(destination);
  })
  .put("/destination", async (c) => {
    const clinic = c.get("principal").clinic;
    const config = await jsonBody(c, DestinationConfig);
    const id = clinicDestinationId(clinic);
    const now = Date.now();
    await c.env.DB.batch([
      c.env.DB.prepare(
        "INSERT INTO destinations (id, config, created_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at",
      ).bind(id, JSON.stringify(config), now, now),
      c.env.DB.prepare("UPDATE clinics SET destination_id = ? WHERE id = ?").bind(id, clinic),
    ]);
    log("info", "destination_set", {
      clinic,
      user: c.get("principal").sub,
      adapter: config.adapter,
    });
    await audit(c.env, {
      event: "destination_changed",
      outcome: "ok",
      ...actor(c.get("principal")),
      subjectId: id,
    });
    const destination: Destination = { id, config };
    return c.json(destination);
  })
  .delete("/destination", async (c) => {
    // Back to the deployment's default PACS.
    const clinic = c.get("principal").clinic;
    await c.env.DB.prepare("UPDATE clinics SET destination_id = NULL WHERE id = ?")
      .bind(clinic)
      .run();
    log("info", "destination_reset", { clinic, user: c.get("principal").sub });
    await audit(c.env, { event: "destination_reset", outcome: "ok", ...actor(c.get("principal")) });
    return c.json(defaultDestination(c.env));
  })
  .post("/uploads/:id/redrive", async (c) => {
    const id = c.req.param("id");
    const principal = c.get("principal");
    const row = await c.env.DB.prepare("SELECT clinic_id FROM upload_sessions WHERE id = ?")
      .bind(id)
      .first<{ clinic_id: string }>();
    if (!row || row.clinic_id !== principal.clinic) {
      throw new AppError("not_found", "This upload does not exist.");
    }
    const stub = c.env.UPLOAD_SESSION.get(c.env.UPLOAD_SESSION.idFromName(id));
    const { status } = unwrap(await stub.redrive());
    log("info", "session_redriven", { session: id, user: principal.sub });
    await audit(c.env, {
      event: "session_redriven",
      outcome: "ok",
      ...actor(principal),
      sessionId: id,
    });
    return c.json(status);
  });
