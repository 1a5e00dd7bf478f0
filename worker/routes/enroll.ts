// /api/enroll: a person opens an admin's enrollment link (or types its code), gives their name and
// a password or PIN (as the clinic's policy says: `POST /api/enroll/lookup` tells the page which),
// and this device is signed in as a new user of that clinic. The code is claimed and
// the user, device and sign-in are created in one D1 batch: two phones racing with one code get one
// account between them, never two. A used, expired or withdrawn code is explained with whom to ask.
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-env";
import { audit } from "../audit/record";
import { clinicPolicy } from "../auth/clinic-policy";
import { enrollmentCodeHash } from "../auth/enrollment-codes";
import { hashPassword, PBKDF2_ITERATIONS } from "../auth/passwords";
import { insertDevice, insertSession, newGrant, signedIn, type Guard } from "../auth/sessions";
import type { UserRow } from "../auth/users";
import {
  EnrollmentLookupRequest,
  EnrollRequest,
  Role,
  secretProblem,
  type EnrollmentLookup,
  type SignInResponse,
} from "../contract";
import { AppError } from "../errors";
import { randomHex } from "../hex";
import { log } from "../log";
import { clientAddress, enforce } from "../security/rate-limits";
import { jsonBody } from "../validate";

const EnrollmentRow = z.object({
  id: z.string(),
  clinic_id: z.string(),
  role: Role,
  expires_at: z.number().int(),
  used_at: z.number().int().nullable(),
  revoked_at: z.number().int().nullable(),
  creator_name: z.string().nullable(),
});
type EnrollmentRow = z.infer<typeof EnrollmentRow>;

async function enrollmentByHash(env: Env, hash: string): Promise<EnrollmentRow | undefined> {
  const row = await env.DB.prepare(
    `SELECT e.id, e.clinic_id, e.role, e.expires_at, e.used_at, e.revoked_at,
      u.name AS creator_name FROM enrollments e LEFT JOIN users u ON u.id = e.created_by
      WHERE e.code_hash = ?`,
  )
    .bind(hash)
    .first();
  return row ? EnrollmentRow.parse(row) : undefined;
}

/** Why this code cannot be used now, in words, with whom to ask; null when it can. */
function unusable(e: EnrollmentRow, now: number): AppError | null {
  const ask = e.creator_name
    ? `Ask ${e.creator_name} (your clinic's administrator) for a new code.`
    : "Ask your clinic's administrator for a new code.";
  if (e.used_at !== null) {
    return new AppError(
      "enrollment_used",
      `This enrollment code has already been used: each code works once. ${ask}`,
    );
  }
  if (e.revoked_at !== null) {
    return new AppError(
      "enrollment_revoked",
      `This enrollment code was withdrawn by your administrator. ${ask}`,
    );
  }
  if (e.expires_at <= now) {
    return new AppError(
      "enrollment_expired",
      `This enrollment code has expired (codes work for a limited time). ${ask}`,
    );
  }
  return null;
}

async function refuse(env: Env, e: EnrollmentRow, error: AppError): Promise<never> {
  log("warn", "enrollment_refused", { enrollment: e.id, reason: error.code });
  await audit(env, {
    event: "enrollment_refused",
    outcome: "refused",
    clinicId: e.clinic_id,
    subjectId: e.id,
    reasons: [error.code],
  });
  throw error;
}

async function knownEnrollment(env: Env, code: string): Promise<EnrollmentRow> {
  const enrollment = await enrollmentByHash(env, await enrollmentCodeHash(code));
  if (!enrollment) {
    throw new AppError(
      "enrollment_invalid",
      "This enrollment code is not valid. Check that you opened the whole link (or typed the code exactly), or ask your clinic's administrator for a new code.",
    );
  }
  return enrollment;
}

export const enroll = new Hono<AppEnv>()
  // The code travels in the body, never the URL (URLs end up in logs). Unknown codes count against
  // the address's enrollment limit like failed enrollments; a usable one gives its token back.
  .post("/lookup", async (c) => {
    const body = await jsonBody(c, EnrollmentLookupRequest);
    const giveBack = await enforce(c.env, [["enrollAddress", clientAddress(c.req)]]);
    const enrollment = await knownEnrollment(c.env, body.code);
    const problem = unusable(enrollment, Date.now());
    if (problem) throw problem;
    await giveBack();
    const policy = await clinicPolicy(c.env, enrollment.clinic_id);
    const response: EnrollmentLookup = { signInSecret: policy.signInSecret };
    return c.json(response);
  })
  .post("/", async (c) => {
    const body = await jsonBody(c, EnrollRequest);
    const giveBack = await enforce(c.env, [["enrollAddress", clientAddress(c.req)]]);
    const enrollment = await knownEnrollment(c.env, body.code);
    const now = Date.now();
    const problem = unusable(enrollment, now);
    if (problem) return refuse(c.env, enrollment, problem);
    // The clinic's rule as it is now; people enrolled under another rule keep their secret.
    const { signInSecret } = await clinicPolicy(c.env, enrollment.clinic_id);
    const weak = secretProblem(signInSecret, body.password);
    if (weak) {
      // A secret that misses the rule is a typing slip, not a guess at codes: no limit spent.
      await giveBack();
      throw new AppError("bad_request", weak);
    }

    const salt = randomHex(16);
    const user: UserRow = {
      id: crypto.randomUUID(),
      clinic_id: enrollment.clinic_id,
      email: null,
      name: body.name,
      role: enrollment.role,
      password_hash: await hashPassword(body.password, salt, PBKDF2_ITERATIONS),
      password_salt: salt,
      password_iterations: PBKDF2_ITERATIONS,
      disabled: 0,
      created_at: now,
    };
    const deviceId = randomHex(16);
    const grant = await newGrant(now);
    // Every insert happens only if this very request claimed the code.
    const guard: Guard = {
      sql: "EXISTS (SELECT 1 FROM enrollments WHERE id = ? AND user_id = ?)",
      params: [enrollment.id, user.id],
    };
    const [claimed] = await c.env.DB.batch([
      c.env.DB.prepare(
        `UPDATE enrollments SET used_at = ?, user_id = ?, device_id = ?
       WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?`,
      ).bind(now, user.id, deviceId, enrollment.id, now),
      c.env.DB.prepare(
        `INSERT INTO users (id, clinic_id, email, name, role, password_hash, password_salt,
        password_iterations, disabled, created_at) SELECT ?, ?, NULL, ?, ?, ?, ?, ?, 0, ?
        WHERE ${guard.sql}`,
      ).bind(
        user.id,
        user.clinic_id,
        user.name,
        user.role,
        user.password_hash,
        user.password_salt,
        user.password_iterations,
        now,
        ...guard.params,
      ),
      insertDevice(
        c.env,
        {
          id: deviceId,
          clinicId: user.clinic_id,
          userId: user.id,
          name: body.deviceName ?? "Enrolled device",
          enrollmentId: enrollment.id,
        },
        now,
        guard,
      ),
      ...insertSession(c.env, grant, user.id, deviceId, now, guard),
    ]);
    if (claimed?.meta.changes !== 1) {
      // Claimed by another request in the meantime: explain as for any used code.
      const again = await enrollmentByHash(c.env, await enrollmentCodeHash(body.code));
      return refuse(
        c.env,
        again ?? enrollment,
        (again && unusable(again, Date.now())) ??
          new AppError("enrollment_used", "This enrollment code has already been used."),
      );
    }
    await giveBack();
    log("info", "enrolled", { enrollment: enrollment.id, user: user.id, device: deviceId });
    await audit(c.env, {
      event: "enrolled",
      outcome: "ok",
      clinicId: user.clinic_id,
      userId: user.id,
      deviceId,
      subjectId: enrollment.id,
    });
    const response: SignInResponse = await signedIn(c.env, user, deviceId, grant);
    return c.json(response, 201);
  });
