// /api/admin/users and /api/admin/devices: an admin lists their clinic's people and devices,
// disables (or re-enables) a person and revokes a device. Both end the affected sign-ins at once.
// Anything outside the admin's clinic answers 404, as if it did not exist.
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-env";
import { actor, audit } from "../audit/record";
import { requireAccess, requireAdmin } from "../auth/middleware";
import { revokeSessions } from "../auth/sessions";
import {
  Role,
  type AdminUserView,
  type DeviceList,
  type DeviceView,
  type UserList,
} from "../contract";
import { AppError } from "../errors";
import { log } from "../log";

const UserRow = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  role: Role,
  disabled: z.number().int(),
  created_at: z.number().int(),
});
const userView = (u: z.infer<typeof UserRow>): AdminUserView => ({
  id: u.id,
  name: u.name,
  email: u.email,
  role: u.role,
  disabled: u.disabled !== 0,
  createdAt: u.created_at,
});

const DeviceRow = z.object({
  id: z.string(),
  user_id: z.string(),
  user_name: z.string(),
  name: z.string(),
  created_at: z.number().int(),
  last_seen_at: z.number().int(),
  revoked_at: z.number().int().nullable(),
});
const deviceView = (d: z.infer<typeof DeviceRow>): DeviceView => ({
  id: d.id,
  userId: d.user_id,
  userName: d.user_name,
  name: d.name,
  createdAt: d.created_at,
  lastSeenAt: d.last_seen_at,
  revokedAt: d.revoked_at,
});

const USER_COLUMNS = "id, name, email, role, disabled, created_at";
const DEVICE_SELECT = `SELECT d.id, d.user_id, u.name AS user_name, d.name, d.created_at,
  d.last_seen_at, d.revoked_at FROM devices d JOIN users u ON u.id = d.user_id`;

async function clinicUser(env: Env, clinicId: string, id: string) {
  const row = await env.DB.prepare(
    `SELECT ${USER_COLUMNS} FROM users WHERE id = ? AND clinic_id = ?`,
  )
    .bind(id, clinicId)
    .first();
  if (!row) throw new AppError("not_found", "There is no such person in your clinic.");
  return UserRow.parse(row);
}

async function setDisabled(env: Env, clinicId: string, id: string, disabled: boolean) {
  await env.DB.prepare("UPDATE users SET disabled = ? WHERE id = ? AND clinic_id = ?")
    .bind(disabled ? 1 : 0, id, clinicId)
    .run();
  return userView(await clinicUser(env, clinicId, id));
}

export const adminPeople = new Hono<AppEnv>()
  .use(requireAccess, requireAdmin)
  .get("/users", async (c) => {
    const { results } = await c.env.DB.prepare(
      `SELECT ${USER_COLUMNS} FROM users WHERE clinic_id = ? ORDER BY created_at`,
    )
      .bind(c.get("principal").clinic)
      .all();
    const body: UserList = { users: results.map((r) => userView(UserRow.parse(r))) };
    return c.json(body);
  })
  .post("/users/:id/disable", async (c) => {
    const principal = c.get("principal");
    const user = await clinicUser(c.env, principal.clinic, c.req.param("id"));
    if (user.id === principal.sub) {
      throw new AppError(
        "bad_request",
        "You cannot disable your own account. Ask another administrator of your clinic.",
      );
    }
    const view = await setDisabled(c.env, principal.clinic, user.id, true);
    await revokeSessions(c.env, { user: user.id }, "user_disabled");
    log("info", "user_disabled", { user: user.id, by: principal.sub });
    await audit(c.env, {
      event: "user_disabled",
      outcome: "ok",
      ...actor(principal),
      subjectId: user.id,
    });
    return c.json(view);
  })
  .post("/users/:id/enable", async (c) => {
    // Old sign-ins stay ended: the person signs in again.
    const principal = c.get("principal");
    const user = await clinicUser(c.env, principal.clinic, c.req.param("id"));
    const view = await setDisabled(c.env, principal.clinic, user.id, false);
    log("info", "user_enabled", { user: user.id, by: principal.sub });
    await audit(c.env, {
      event: "user_enabled",
      outcome: "ok",
      ...actor(principal),
      subjectId: user.id,
    });
    return c.json(view);
  })
  .get("/devices", async (c) => {
    const { results } = await c.env.DB.prepare(
      `${DEVICE_SELECT} WHERE d.clinic_id = ? ORDER BY d.last_seen_at DESC LIMIT 1000`,
    )
      .bind(c.get("principal").clinic)
      .all();
    const body: DeviceList = { devices: results.map((r) => deviceView(DeviceRow.parse(r))) };
    return c.json(body);
  })
  .post("/devices/:id/revoke", async (c) => {
    const principal = c.get("principal");
    const id = c.req.param("id");
    await c.env.DB.prepare(
      "UPDATE devices SET revoked_at = ? WHERE id = ? AND clinic_id = ? AND revoked_at IS NULL",
    )
      .bind(Date.now(), id, principal.clinic)
      .run();
    const row = await c.env.DB.prepare(`${DEVICE_SELECT} WHERE d.id = ? AND d.clinic_id = ?`)
      .bind(id, principal.clinic)
      .first();
    if (!row) throw new AppError("not_found", "There is no such device in your clinic.");
    await revokeSessions(c.env, { device: id }, "device_revoked");
    log("info", "device_revoked", { device: id, by: principal.sub });
    await audit(c.env, {
      event: "device_revoked",
      outcome: "ok",
      ...actor(principal),
      subjectId: id,
    });
    return c.json(deviceView(DeviceRow.parse(row)));
  });
