// /api/auth: password sign-in that returns a short-lived access token.
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-env";
import { hashPassword, sameDigest } from "../auth/passwords";
import { signAccessToken } from "../auth/tokens";
import { LoginRequest, Role, type LoginResponse } from "../contract";
import { AppError } from "../errors";
import { log } from "../log";
import { jsonBody } from "../validate";

const UserRow = z.object({
  id: z.string(),
  clinic_id: z.string(),
  email: z.string(),
  name: z.string(),
  role: Role,
  password_hash: z.string(),
  password_salt: z.string(),
  password_iterations: z.number().int(),
  disabled: z.number().int(),
});

// Hashing for an unknown email too keeps sign-in time from telling which emails exist.
const DUMMY_SALT = "00".repeat(16);

export const auth = new Hono<AppEnv>().post("/login", async (c) => {
  const body = await jsonBody(c, LoginRequest);
  const row = await c.env.DB.prepare("SELECT * FROM users WHERE email = ?")
    .bind(body.email)
    .first();
  const user = row ? UserRow.parse(row) : undefined;
  const digest = await hashPassword(
    body.password,
    user?.password_salt ?? DUMMY_SALT,
    user?.password_iterations ?? 100_000,
  );
  if (!user || user.disabled || !sameDigest(digest, user.password_hash)) {
    log("warn", "login_refused", { user: user?.id ?? null });
    throw new AppError(
      "invalid_credentials",
      "That email and password do not match an active account. Check them, or ask your administrator.",
    );
  }
  const principal = { sub: user.id, clinic: user.clinic_id, role: user.role };
  const { token, expiresAt } = await signAccessToken(c.env.JWT_SECRET, principal);
  log("info", "login", { user: user.id });
  const response: LoginResponse = {
    accessToken: token,
    expiresAt,
    user: {
      id: user.id,
      name: user.name,
      email: user.email,
      role: user.role,
      clinicId: user.clinic_id,
    },
  };
  return c.json(response);
});
