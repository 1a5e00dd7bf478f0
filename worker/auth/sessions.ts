// Sign-in sessions: one row per sign-in (the `sid` of every token it yields) with a family of
// single-use refresh tokens stored hashed. Exchanging a refresh token marks it used and issues the
// next; presenting a used one again means it was copied, so the whole family is revoked. Every
// request re-reads the session, its device and its user (one indexed query), so sign-out, device
// revocation and disabling a user take effect at once.
import { z } from "zod";
import { audit } from "../audit/record";
import { Role, type SignInResponse } from "../contract";
import { AppError } from "../errors";
import { randomHex } from "../hex";
import { log } from "../log";
import { clinicPolicy } from "./clinic-policy";
import { randomToken, sha256Hex } from "./digest";
import { signAccessToken, type Claims, type Principal } from "./tokens";
import { userById, userView, type UserRow } from "./users";

export const REFRESH_TOKEN_SECONDS = 30 * 86_400;

/** A SQL condition (and its parameters) that must hold for a guarded insert to happen. */
export interface Guard {
  sql: string;
  params: unknown[];
}
const ALWAYS: Guard = { sql: "1", params: [] };

export interface Grant {
  sessionId: string;
  refreshToken: string;
  refreshHash: string;
  refreshExpiresAt: number;
}

export async function newGrant(now: number, sessionId = randomHex(16)): Promise<Grant> {
  const refreshToken = randomToken(32);
  return {
    sessionId,
    refreshToken,
    refreshHash: await sha256Hex(refreshToken),
    refreshExpiresAt: now + REFRESH_TOKEN_SECONDS * 1000,
  };
}

export interface NewDevice {
  id: string;
  clinicId: string;
  userId: string;
  name: string;
  enrollmentId: string | null;
}

export function insertDevice(env: Env, d: NewDevice, now: number, guard = ALWAYS) {
  return env.DB.prepare(
    `INSERT INTO devices (id, clinic_id, user_id, name, enrollment_id, created_at, last_seen_at)
     SELECT ?, ?, ?, ?, ?, ?, ? WHERE ${guard.sql}`,
  ).bind(d.id, d.clinicId, d.userId, d.name, d.enrollmentId, now, now, ...guard.params);
}

/** The statements that open a sign-in session with its first refresh token. */
export function insertSession(
  env: Env,
  g: Grant,
  userId: string,
  deviceId: string,
  now: number,
  guard = ALWAYS,
) {
  return [
    env.DB.prepare(
      `INSERT INTO auth_sessions (id, user_id, device_id, created_at, last_used_at)
       SELECT ?, ?, ?, ?, ? WHERE ${guard.sql}`,
    ).bind(g.sessionId, userId, deviceId, now, now, ...guard.params),
    env.DB.prepare(
      `INSERT INTO refresh_tokens (token_hash, session_id, created_at, expires_at)
       SELECT ?, ?, ?, ? WHERE ${guard.sql}`,
    ).bind(g.refreshHash, g.sessionId, now, g.refreshExpiresAt, ...guard.params),
  ];
}

/** The answer to a successful sign-in, refresh or enrollment. */
export async function signedIn(
  env: Env,
  user: UserRow,
  deviceId: string,
  g: Grant,
): Promise<SignInResponse> {
  const subject = { sub: user.id, clinic: user.clinic_id, role: user.role, sid: g.sessionId };
  const { token, expiresAt } = await signAccessToken(env.JWT_SECRET, subject);
  return {
    accessToken: token,
    expiresAt,
    refreshToken: g.refreshToken,
    refreshExpiresAt: g.refreshExpiresAt,
    deviceId,
    user: userView(user),
    clinicPolicy: await clinicPolicy(env, user.clinic_id),
  };
}

const Liveness = z.object({
  session_revoked_at: z.number().int().nullable(),
  revoked_reason: z.string().nullable(),
  device_revoked_at: z.number().int().nullable(),
  disabled: z.number().int(),
  clinic_id: z.string(),
  role: Role,
  device_id: z.string(),
});
type Liveness = z.infer<typeof Liveness>;

const LIVENESS_COLUMNS = `s.revoked_at AS session_revoked_at, s.revoked_reason,
  d.revoked_at AS device_revoked_at, u.disabled, u.clinic_id, u.role, s.device_id`;
const LIVENESS_JOINS = "JOIN users u ON u.id = s.user_id JOIN devices d ON d.id = s.device_id";

const SIGNED_OUT = "You were signed out. Sign in again to continue.";
const REUSED =
  "For your safety you were signed out: an old sign-in key was used a second time. Sign in again; if this keeps happening, tell your administrator.";

/** Throws the plain reason when this sign-in no longer counts. */
function refuseIfEnded(s: Liveness): void {
  if (s.disabled) {
    throw new AppError(
      "account_disabled",
      "Your account has been disabled. If you think this is a mistake, ask your clinic's administrator.",
    );
  }
  if (s.device_revoked_at !== null) {
    throw new AppError(
      "device_revoked",
      "This device was removed from RelayPACS by your administrator. Ask them for a new enrollment code to use it again.",
    );
  }
  if (s.session_revoked_at !== null) {
    throw new AppError(
      "session_revoked",
      s.revoked_reason === "refresh_reused" ? REUSED : SIGNED_OUT,
    );
  }
}

/** The principal of verified token claims, if its sign-in, device and user are all still live. */
export async function checkSession(env: Env, claims: Claims): Promise<Principal> {
  const row = await env.DB.prepare(
    `SELECT ${LIVENESS_COLUMNS} FROM auth_sessions s ${LIVENESS_JOINS} WHERE s.id = ? AND s.user_id = ?`,
  )
    .bind(claims.sid, claims.sub)
    .first();
  if (!row) throw new AppError("session_revoked", SIGNED_OUT);
  const live = Liveness.parse(row);
  refuseIfEnded(live);
  return { ...claims, clinic: live.clinic_id, role: live.role, device: live.device_id };
}

export async function revokeSessions(
  env: Env,
  where: { session: string } | { user: string } | { device: string },
  reason: string,
): Promise<void> {
  const [column, id] =
    "session" in where
      ? ["id", where.session]
      : "user" in where
        ? ["user_id", where.user]
        : ["device_id", where.device];
  await env.DB.prepare(
    `UPDATE auth_sessions SET revoked_at = ?, revoked_reason = ? WHERE ${column} = ? AND revoked_at IS NULL`,
  )
    .bind(Date.now(), reason, id)
    .run();
}

const RefreshRow = Liveness.extend({
  session_id: z.string(),
  user_id: z.string(),
  expires_at: z.number().int(),
  used_at: z.number().int().nullable(),
});

async function refreshRow(env: Env, hash: string) {
  const row = await env.DB.prepare(
    `SELECT rt.session_id, s.user_id, rt.expires_at, rt.used_at, ${LIVENESS_COLUMNS}
     FROM refresh_tokens rt JOIN auth_sessions s ON s.id = rt.session_id ${LIVENESS_JOINS}
     WHERE rt.token_hash = ?`,
  )
    .bind(hash)
    .first();
  return row ? RefreshRow.parse(row) : undefined;
}

async function familyReused(env: Env, r: z.infer<typeof RefreshRow>): Promise<never> {
  await revokeSessions(env, { session: r.session_id }, "refresh_reused");
  log("warn", "refresh_reused", { user: r.user_id, sid: r.session_id });
  await audit(env, {
    event: "refresh_reused",
    outcome: "refused",
    clinicId: r.clinic_id,
    userId: r.user_id,
    deviceId: r.device_id,
    subjectId: r.session_id,
  });
  throw new AppError("session_revoked", REUSED);
}

/** Exchanges a refresh token for a new access token and the next refresh token. */
export async function rotate(env: Env, refreshToken: string): Promise<SignInResponse> {
  const hash = await sha256Hex(refreshToken);
  const r = await refreshRow(env, hash);
  if (!r) {
    throw new AppError("unauthorized", "Your sign-in is not valid any more. Sign in again.");
  }
  if (r.used_at !== null) return familyReused(env, r);
  refuseIfEnded(r);
  const now = Date.now();
  if (r.expires_at <= now) {
    throw new AppError("token_expired", "Your sign-in has expired. Sign in again to continue.");
  }
  const next = await newGrant(now, r.session_id);
  const [claimed] = await env.DB.batch([
    env.DB.prepare(
      "UPDATE refresh_tokens SET used_at = ?, replaced_by = ? WHERE token_hash = ? AND used_at IS NULL",
    ).bind(now, next.refreshHash, hash),
    env.DB.prepare(
      `INSERT INTO refresh_tokens (token_hash, session_id, created_at, expires_at)
       SELECT ?, ?, ?, ? WHERE EXISTS
       (SELECT 1 FROM refresh_tokens WHERE token_hash = ? AND replaced_by = ? AND used_at = ?)`,
    ).bind(next.refreshHash, r.session_id, now, next.refreshExpiresAt, hash, next.refreshHash, now),
    env.DB.prepare("UPDATE auth_sessions SET last_used_at = ? WHERE id = ?").bind(
      now,
      r.session_id,
    ),
    env.DB.prepare("UPDATE devices SET last_seen_at = ? WHERE id = ?").bind(now, r.device_id),
  ]);
  // Another request exchanged the same token a moment ago: one of the two is a copy.
  if (claimed?.meta.changes !== 1) return familyReused(env, r);
  const user = await userById(env, r.user_id);
  if (!user) throw new AppError("session_revoked", SIGNED_OUT);
  return signedIn(env, user, r.device_id, next);
}

/** The sign-in session a refresh token belongs to (used or not), for sign-out. */
export async function sessionOfRefresh(
  env: Env,
  refreshToken: string,
): Promise<{ sessionId: string; userId: string; clinicId: string; deviceId: string } | undefined> {
  const r = await refreshRow(env, await sha256Hex(refreshToken));
  return r
    ? { sessionId: r.session_id, userId: r.user_id, clinicId: r.clinic_id, deviceId: r.device_id }
    : undefined;
}
