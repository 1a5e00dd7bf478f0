// Bearer-token middleware. A token's signature, audience and expiry are checked by tokens.ts; its
// sign-in, device and user are then checked against D1 on every request (sessions.ts), so a
// revocation takes effect at once. Upload routes accept the session's own upload token, or the
// access token of the user who owns the session (checked against D1 by the route).
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { AppError, NO_SUCH_UPLOAD } from "../errors";
import { checkSession } from "./sessions";
import { verifyAccessToken, verifyUploadToken, type Principal } from "./tokens";

export function bearer(header: string | undefined): string {
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  if (!match?.[1]) {
    throw new AppError("unauthorized", "You are not signed in. Sign in and try again.");
  }
  return match[1];
}

/** The principal of a live access token. */
export async function authenticateAccess(env: Env, token: string): Promise<Principal> {
  return checkSession(env, await verifyAccessToken(env.JWT_SECRET, token));
}

/** The principal of a live upload token for this very session. */
export async function authenticateUpload(
  env: Env,
  token: string,
  sessionId: string,
): Promise<Principal> {
  return checkSession(env, await verifyUploadToken(env.JWT_SECRET, token, sessionId));
}

/** Needs a live access token. Runs once per request even when several sub-apps ask for it. */
export const requireAccess = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.get("principal")) {
    c.set("principal", await authenticateAccess(c.env, bearer(c.req.header("authorization"))));
  }
  await next();
});

/** For /api/uploads/:id/*: the upload token of that very session. */
export const requireUploadToken = createMiddleware<AppEnv>(async (c, next) => {
  const sessionId = c.req.param("id");
  if (!sessionId) throw new AppError("not_found", NO_SUCH_UPLOAD);
  c.set(
    "principal",
    await authenticateUpload(c.env, bearer(c.req.header("authorization")), sessionId),
  );
  await next();
});

/** After requireAccess: only an admin (of their own clinic; routes scope every query to it). */
export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  if (c.get("principal").role !== "admin") {
    throw new AppError("forbidden", "Only an administrator can do this.");
  }
  await next();
});
