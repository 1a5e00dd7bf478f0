// /api/admin/policy: the clinic's policy for its devices' offline queue (encrypt queued studies
// at rest) and for enrollment (a password or a PIN). Devices receive it with their next sign-in or
// token refresh (within 15 minutes); the enroll page asks for it by the enrollment code.
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { actor, audit } from "../audit/record";
import { clinicPolicy, setClinicPolicy } from "../auth/clinic-policy";
import { requireAccess, requireAdmin } from "../auth/middleware";
import { ClinicPolicyChange, type ClinicPolicy } from "../contract";
import { log } from "../log";
import { jsonBody } from "../validate";

export const adminPolicy = new Hono<AppEnv>()
  .use(requireAccess, requireAdmin)
  .get("/policy", async (c) => {
    const body: ClinicPolicy = await clinicPolicy(c.env, c.get("principal").clinic);
    return c.json(body);
  })
  .put("/policy", async (c) => {
    const principal = c.get("principal");
    const change = await jsonBody(c, ClinicPolicyChange);
    await setClinicPolicy(c.env, principal.clinic, change);
    log("info", "policy_set", {
      clinic: principal.clinic,
      user: principal.sub,
      encrypt: change.encryptQueuedFiles ?? null,
      secret: change.signInSecret ?? null,
    });
    await audit(c.env, {
      event: "policy_changed",
      outcome: "ok",
      ...actor(principal),
      subjectId: principal.clinic,
    });
    const body: ClinicPolicy = await clinicPolicy(c.env, principal.clinic);
    return c.json(body);
  });
