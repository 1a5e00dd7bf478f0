// Bearer-token middleware. Upload routes accept the session's own upload token, or the access
// token of the user who owns the session (checked against D1 by the route).
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { AppError } from "../errors";
import { verifyAccessToken, verifyUploadToken } from "./tokens";

export function bearer(header: string | undefined): string {
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  if (!match?.[1]) {
    throw new AppError("unauthorized", "You are not signed in. Sign in and try again.");
  }
  return match[1];
}

export const requireAccess = createMiddleware<AppEnv>(async (c, next) => {
  const principal = await verifyAccessToken(
    c.env.JWT_SECRET,
    bearer(c.req.header("authorization")),
  );
  c.set("principal", principal);
  await next();
});

/** For /api/uploads/:id/*: the upload token of that very session. */
export const requireUploadToken = createMiddleware<AppEnv>(async (c, next) => {
  const sessionId = c.req.param("id");
  if (!sessionId) throw new AppError("not_found", "This upload does not exist.");
  const principal = await verifyUploadToken(
    c.env.JWT_SECRET,
    bearer(c.req.header("authorization")),
    sessionId,
  );
  c.set("principal", principal);
  await next();
});
