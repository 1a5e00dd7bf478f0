// Sign-in request and the signed-in user's view of themselves.
import { z } from "zod";

export const Role = z.enum(["admin", "uploader"]);
export type Role = z.infer<typeof Role>;

export const LoginRequest = z.object({
  email: z.string().trim().toLowerCase().email().max(254),
  password: z.string().min(1).max(1024),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

export const UserView = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  role: Role,
  clinicId: z.string(),
});
export type UserView = z.infer<typeof UserView>;

export const LoginResponse = z.object({
  accessToken: z.string(),
  expiresAt: z.number().int(),
  user: UserView,
});
export type LoginResponse = z.infer<typeof LoginResponse>;
