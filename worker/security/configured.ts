// A deployment without its signing key answers nothing but a plain 503: Workers have no start-up
// hook that could stop the deployment, so this is checked before every API request (a length
// comparison, no I/O). `npm start` generates a key locally; production sets it with
// `wrangler secret put JWT_SECRET`.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { MIN_SECRET_LENGTH, missingSecret } from "../auth/tokens";
import { AppError } from "../errors";
import { log } from "../log";
import { productionProblems } from "./production";

let reported = false;

export const requireConfigured = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.env.JWT_SECRET || c.env.JWT_SECRET.length < MIN_SECRET_LENGTH) {
    if (!reported) log("error", "jwt_secret_missing", { environment: c.env.ENVIRONMENT });
    reported = true;
    throw missingSecret();
  }
  const problems = productionProblems(c.env);
  if (problems.length > 0) {
    log("error", "unsafe_production_settings", { count: problems.length });
    throw new AppError(
      "not_configured",
      `This server is not safely configured yet. ${problems.join(" ")}`,
    );
  }
  await next();
});
