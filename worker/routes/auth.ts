// /api/auth: sign-in (email or enrolled device, and a password) returning a short-lived access
// token and a rotating refresh token; refresh; sign-out. Sign-in is rate limited per account and
// per address; only failed attempts count.
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-env";
import { audit } from "../audit/record";
import { bearer } from "../auth/middleware";
import {
  insertDevice,
  insertSession,
  newGrant,
  revokeSessions,
  rotate,
  sessionOfRefresh,
  signedIn,
} from "../auth/sessions";
import { verifyAccessToken } from "../auth/tokens";
import { passwordMatches, UserRow, userByEmail } from "../auth/users";
import { LogoutRequest, RefreshRequest, SignInRequest, type SignInResponse } from "../contract";
import { AppError, TooManyAttempts } from "../errors";
import { randomHex } from "../hex";
import { log } from "../log";
import { clientAddress, enforce } from "../security/rate-limits";
import { jsonBody } from "../validate";

const DeviceRow = z.object({
  id: z.string(),
  user_id: z.string(),
  revoked_at: z.number().nullable(),
});

async function deviceById(env: Env, id: string) {
  const row = await env.DB.prepare("SELECT id, user_id, revoked_at FROM devices WHERE id = ?")
    .bind(id)
    .first();
  return row ? DeviceRow.parse(row) : undefined;
}

/** The account a sign-in names, and the device it comes from if that device is known. */
async function accountOf(env: Env, body: SignInRequest) {
  if ("email" in body) {
    const user = await userByEmail(env, body.email);
    const device = body.deviceId ? await deviceById(env, body.deviceId) : undefined;
    return { user, device: device?.user_id === user?.id ? device : undefined };
  }
  const device = await deviceById(env, body.deviceId);
  const row = device
    ? await env.DB.prepare("SELECT * FROM users WHERE id = ?").bind(device.user_id).first()
    : null;
  return { user: row ? UserRow.parse(row) : undefined, device };
}

const REFUSED =
  "That sign-in does not match an active account. Check the email and password, or ask your administrator.";

export const auth = new Hono<AppEnv>()
  .post("/login", async (c) => {
    const body = await jsonBody(c, SignInRequest);
    const accountKey = "email" in body ? body.email : `device:${body.deviceId}`;
    const { user, device } = await accountOf(c.env, body);
    const who = { clinicId: user?.clinic_id ?? null, userId: user?.id ?? null };
    let giveBack: () => Promise<void>;
    try {
      giveBack = await enforce(c.env, [
        ["signInAccount", accountKey],
        ["signInAddress", clientAddress(c.req)],
      ]);
    } catch (error) {
      if (error instanceof TooManyAttempts) {
        log("warn", "login_rate_limited", { user: user?.id ?? null });
        await audit(c.env, { event: "sign_in", outcome: "rate_limited", ...who });
      }
      throw error;
    }
    if (!(await passwordMatches(user, body.password)) || !user || user.disabled) {
      log("warn", "login_refused", { user: user?.id ?? null });
      await audit(c.env, { event: "sign_in", outcome: "refused", ...who });
      throw new AppError("invalid_credentials", REFUSED);
    }
    if (device?.revoked_at) {
      throw new AppError(
        "device_revoked",
        "This device was removed from RelayPACS by your administrator. Ask them for a new enrollment code to use it again.",
      );
    }
    await giveBack();
    const now = Date.now();
    const deviceId = device?.id ?? randomHex(16);
    const grant = await newGrant(now);
    const name = ("deviceName" in body ? body.deviceName : undefined) ?? "Signed in with password";
    await c.env.DB.batch([
      device
        ? c.env.DB.prepare("UPDATE devices SET last_seen_at = ? WHERE id = ?").bind(now, deviceId)
        : insertDevice(
            c.env,
            { id: deviceId, clinicId: user.clinic_id, userId: user.id, name, enrollmentId: null },
            now,
          ),
      ...insertSession(c.env, grant, user.id, deviceId, now),
    ]);
    log("info", "login", { user: user.id, device: deviceId });
    await audit(c.env, { event: "sign_in", outcome: "ok", ...who, deviceId });
    const response: SignInResponse = await signedIn(c.env, user, deviceId, grant);
    return c.json(response);
  })
  .post("/refresh", async (c) => {
    const { refreshToken } = await jsonBody(c, RefreshRequest);
    const response: SignInResponse = await rotate(c.env, refreshToken);
    return c.json(response);
  })
  .post("/logout", async (c) => {
    // The access token names the sign-in; an expired one can be replaced by the refresh token.
    const header = c.req.header("authorization");
    const body = c.req.header("content-type")?.includes("json")
      ? await jsonBody(c, LogoutRequest)
      : {};
    let target:
      { sessionId: string; userId: string; clinicId: string; deviceId?: string } | undefined;
    if (header) {
      try {
        const claims = await verifyAccessToken(c.env.JWT_SECRET, bearer(header));
        target = { sessionId: claims.sid, userId: claims.sub, clinicId: claims.clinic };
      } catch (error) {
        if (!body.refreshToken) throw error;
      }
    }
    if (!target && body.refreshToken) target = await sessionOfRefresh(c.env, body.refreshToken);
    if (!target) throw new AppError("unauthorized", "You are not signed in.");
    await revokeSessions(c.env, { session: target.sessionId }, "signed_out");
    log("info", "logout", { user: target.userId, sid: target.sessionId });
    await audit(c.env, {
      event: "sign_out",
      outcome: "ok",
      clinicId: target.clinicId,
      userId: target.userId,
      deviceId: target.deviceId ?? null,
      subjectId: target.sessionId,
    });
    return c.json({ ok: true });
  });
