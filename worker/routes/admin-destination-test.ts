// /api/admin/destination/test: "test connection" for the admin's clinic's PACS destination (its
// own, or the deployment's default): a C-ECHO or a DICOMweb query with a short timeout, answered
// in plain words. Nothing is stored at the PACS.
import { connect } from "cloudflare:sockets";
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { actor, audit } from "../audit/record";
import { requireAccess, requireAdmin } from "../auth/middleware";
import type { ConnectionTestResult } from "../contract";
import { testConnection } from "../forward/connection-test";
import { destinationFor, resolveAuth } from "../forward/destination";
import { log } from "../log";

export const adminDestinationTest = new Hono<AppEnv>()
  .use(requireAccess, requireAdmin)
  .post("/destination/test", async (c) => {
    const principal = c.get("principal");
    const destination = resolveAuth(c.env, await destinationFor(c.env, principal.clinic));
    const result: ConnectionTestResult = await testConnection(destination, connect);
    log("info", "destination_tested", {
      clinic: principal.clinic,
      destination: destination.id,
      adapter: destination.config.adapter,
      verdict: result.verdict,
      ms: result.elapsedMs,
    });
    await audit(c.env, {
      event: "destination_tested",
      outcome: result.ok ? "ok" : "failed",
      ...actor(principal),
      subjectId: destination.id,
      reasons: result.ok ? [] : [result.verdict],
    });
    return c.json(result);
  });
