// The Hono app: mounts one sub-app per URL prefix and maps every error to a plain JSON answer.
import { Hono } from "hono";
import type { AppEnv } from "./app-env";
import type { ErrorBody } from "./contract";
import { AppError } from "./errors";
import { log } from "./log";
import { admin } from "./routes/admin";
import { auth } from "./routes/auth";
import { health } from "./routes/health";
import { uploads } from "./routes/uploads";

export const app = new Hono<AppEnv>()
  .route("/api/health", health)
  .route("/api/auth", auth)
  .route("/api/uploads", uploads)
  .route("/api/admin", admin)
  .notFound((c) => {
    const body: ErrorBody = {
      error: { code: "not_found", message: "There is nothing at this address." },
    };
    return c.json(body, 404);
  })
  .onError((error, c) => {
    if (error instanceof AppError) {
      const body: ErrorBody = { error: { code: error.code, message: error.message } };
      return c.json(body, error.status);
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
