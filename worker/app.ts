// The Hono app: security headers and same-origin checks on every response, then one sub-app per
// URL prefix, and one mapping of every error to a plain JSON answer.
import { Hono } from "hono";
import type { AppEnv } from "./app-env";
import type { ErrorBody } from "./contract";
import { AppError, TooManyAttempts } from "./errors";
import { log } from "./log";
import { admin } from "./routes/admin";
import { adminAudit } from "./routes/admin-audit";
import { adminDestinationTest } from "./routes/admin-destination-test";
import { adminEnrollments } from "./routes/admin-enrollments";
import { adminPeople } from "./routes/admin-people";
import { adminPolicy } from "./routes/admin-policy";
import { auth } from "./routes/auth";
import { enroll } from "./routes/enroll";
import { health } from "./routes/health";
import { reports } from "./routes/reports";
import { uploads } from "./routes/uploads";
import { requireConfigured } from "./security/configured";
import { securityHeaders } from "./security/headers";
import { sameOriginOnly } from "./security/origin";
import { limitSessionCreation } from "./security/rate-limits";

export const app = new Hono<AppEnv>()
  .use(securityHeaders)
  .use("/api/*", sameOriginOnly, requireConfigured)
  .use("/api/uploads", limitSessionCreation)
  .route("/api/health", health)
  .route("/api/auth", auth)
  .route("/api/enroll", enroll)
  .route("/api/uploads", uploads)
  .route("/api/admin", admin)
  .route("/api/admin", adminPeople)
  .route("/api/admin", adminEnrollments)
  .route("/api/admin", adminAudit)
  .route("/api/admin", adminDestinationTest)
  .route("/api/admin", adminPolicy)
  .route("/api/reports", reports)
  .notFound((c) => {
    const body: ErrorBody = {
      error: { code: "not_found", message: "There is nothing at this address." },
    };
    return c.json(body, 404);
  })
  .onError((error, c) => {
    if (error instanceof AppError) {
      const body: ErrorBody = { error: { code: error.code, message: error.message } };
      const headers: Record<string, string> =
        error instanceof TooManyAttempts ? { "Retry-After": String(error.retryAfterSeconds) } : {};
      return c.json(body, error.status, headers);
    }
    log("error", "unhandled", { name: error.name, path: c.req.routePath });
    const body: ErrorBody = {
      error: {
        code: "internal",
        message:
          "Something went wrong on the server. Try again in a few minutes; if it keeps happening, tell your administrator.",
      },
    };
    return c.json(body, 500);
  });
