// /api/admin/enrollments: an admin creates single-use enrollment codes for their clinic (shown
// once, as a QR code of the enroll link), lists them, and withdraws unused ones. Only each code's
// hash is stored.
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-env";
import { actor, audit } from "../audit/record";
import { enrollmentCodeHash, newEnrollmentCode } from "../auth/enrollment-codes";
import { requireAccess, requireAdmin } from "../auth/middleware";
import {
  CreateEnrollmentRequest,
  Role,
  type EnrollmentCreated,
  type EnrollmentList,
  type EnrollmentView,
} from "../contract";
import { AppError } from "../errors";
import { randomHex } from "../hex";
import { log } from "../log";
import { jsonBody } from "../validate";

const Row = z.object({
  id: z.string(),
  role: Role,
  person_name: z.string().nullable(),
  created_by: z.string(),
  created_at: z.number().int(),
  expires_at: z.number().int(),
  used_at: z.number().int().nullable(),
  user_id: z.string().nullable(),
  revoked_at: z.number().int().nullable(),
});

function view(r: z.infer<typeof Row>, now: number): EnrollmentView {
  const state =
    r.used_at !== null
      ? "used"
      : r.revoked_at !== null
        ? "revoked"
        : r.expires_at <= now
          ? "expired"
          : "active";
  return {
    id: r.id,
    role: r.role,
    personName: r.person_name,
    createdBy: r.created_by,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    usedAt: r.used_at,
    userId: r.user_id,
    state,
  };
}

const COLUMNS =
  "id, role, person_name, created_by, created_at, expires_at, used_at, user_id, revoked_at";

export const adminEnrollments = new Hono<AppEnv>()
  .use(requireAccess, requireAdmin)
  .post("/enrollments", async (c) => {
    const principal = c.get("principal");
    const body = await jsonBody(c, CreateEnrollmentRequest);
    const code = newEnrollmentCode();
    const id = randomHex(16);
    const now = Date.now();
    const expiresAt = now + body.expiresInHours * 3600_000;
    await c.env.DB.prepare(
      `INSERT INTO enrollments (id, clinic_id, role, person_name, code_hash, created_by,
        created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    )
      .bind(
        id,
        principal.clinic,
        body.role,
        body.personName ?? null,
        await enrollmentCodeHash(code),
        principal.sub,
        now,
        expiresAt,
      )
      .run();
    log("info", "enrollment_created", { enrollment: id, by: principal.sub, role: body.role });
    await audit(c.env, {
      event: "enrollment_created",
      outcome: "ok",
      ...actor(principal),
      subjectId: id,
    });
    const created: EnrollmentCreated = {
      id,
      code,
      // The code travels in the fragment: browsers never send it to a server or in a Referer.
      url: `${new URL(c.req.url).origin}/enroll#${code}`,
      expiresAt,
    };
    return c.json(created, 201);
  })
  .get("/enrollments", async (c) => {
    const { results } = await c.env.DB.prepare(
      `SELECT ${COLUMNS} FROM enrollments WHERE clinic_id = ? ORDER BY created_at DESC LIMIT 500`,
    )
      .bind(c.get("principal").clinic)
      .all();
    const now = Date.now();
    const body: EnrollmentList = { enrollments: results.map((r) => view(Row.parse(r), now)) };
    return c.json(body);
  })
  .delete("/enrollments/:id", async (c) => {
    const principal = c.get("principal");
    const id = c.req.param("id");
    const now = Date.now();
    await c.env.DB.prepare(
      `UPDATE enrollments SET revoked_at = ?
       WHERE id = ? AND clinic_id = ? AND used_at IS NULL AND revoked_at IS NULL`,
    )
      .bind(now, id, principal.clinic)
      .run();
    const row = await c.env.DB.prepare(
      `SELECT ${COLUMNS} FROM enrollments WHERE id = ? AND clinic_id = ?`,
    )
      .bind(id, principal.clinic)
      .first();
    if (!row) throw new AppError("not_found", "There is no such enrollment code in your clinic.");
    const enrollment = view(Row.parse(row), now);
    if (enrollment.state === "used") {
      throw new AppError(
        "enrollment_used",
        "This code was already used, so there is nothing to withdraw. To stop that person, disable them or revoke their device.",
      );
    }
    log("info", "enrollment_revoked", { enrollment: id, by: principal.sub });
    await audit(c.env, {
      event: "enrollment_revoked",
      outcome: "ok",
      ...actor(principal),
      subjectId: id,
    });
    return c.json(enrollment);
  });
