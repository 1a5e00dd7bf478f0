// The app and its API share one origin, so the API needs no CORS: it answers no cross-origin
// preflight and refuses any request whose Origin header names another site. It never sends
// Access-Control-Allow-* headers. Requests without an Origin (scripts, curl, same-origin GETs in
// some browsers) go through: a bearer token, not a cookie, is what authorizes them.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { AppError } from "../errors";

function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

/** Same site when the Origin's host is the host this request was sent to. */
export function isSameOrigin(origin: string, url: string, hostHeader: string | undefined): boolean {
  const host = hostOf(origin);
  if (host === null || origin === "null") return false;
  return host === new URL(url).host || host === hostHeader;
}

const refused = () =>
  new AppError(
    "cross_origin",
    "This address only answers the RelayPACS app itself. Open the app at its own address.",
  );

export const sameOriginOnly = createMiddleware<AppEnv>(async (c, next) => {
  const origin = c.req.header("origin");
  const same = origin === undefined || isSameOrigin(origin, c.req.url, c.req.header("host"));
  if (c.req.method === "OPTIONS") {
    if (!same || c.req.header("access-control-request-method") !== undefined) throw refused();
    return c.body(null, 204, { Allow: "GET, POST, PUT, DELETE" });
  }
  if (!same) throw refused();
  await next();
});
