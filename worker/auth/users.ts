// Users as stored in D1 (parsed, never cast), and the password check shared by the sign-in routes.
import { z } from "zod";
import { Role, type UserView } from "../contract";
import { hashPassword, PBKDF2_ITERATIONS, sameDigest } from "./passwords";

export const UserRow = z.object({
  id: z.string(),
  clinic_id: z.string(),
  email: z.string().nullable(),
  name: z.string(),
  role: Role,
  password_hash: z.string(),
  password_salt: z.string(),
  password_iterations: z.number().int(),
  disabled: z.number().int(),
  created_at: z.number().int(),
});
export type UserRow = z.infer<typeof UserRow>;

export async function userByEmail(env: Env, email: string): Promise<UserRow | undefined> {
  const row = await env.DB.prepare("SELECT * FROM users WHERE email = ?").bind(email).first();
  return row ? UserRow.parse(row) : undefined;
}

export async function userById(env: Env, id: string): Promise<UserRow | undefined> {
  const row = await env.DB.prepare("SELECT * FROM users WHERE id = ?").bind(id).first();
  return row ? UserRow.parse(row) : undefined;
}

// Hashing for an unknown account too keeps sign-in time from telling which accounts exist.
const DUMMY_SALT = "00".repeat(16);

/** True when `password` is this active user's. Always spends one PBKDF2 run. */
export async function passwordMatches(
  user: UserRow | undefined,
  password: string,
): Promise<boolean> {
  const digest = await hashPassword(
    password,
    user?.password_salt ?? DUMMY_SALT,
    user?.password_iterations ?? PBKDF2_ITERATIONS,
  );
  return user !== undefined && sameDigest(digest, user.password_hash);
}

export function userView(user: UserRow): UserView {
  return {
    id: user.id,
    name: user.name,
    email: user.email ?? "",
    role: user.role,
    clinicId: user.clinic_id,
  };
}
