// The PWA's per-job reports inside workerd: who may send them, tenant scope, refusal of anything
// beyond the contract (a patient's name in an extra field never lands in D1), repeats recorded
// once, and the dashboard's offline queue completion rate and client retries computed from them.
// Also the clinic's queue policy: set by its admin, handed to its users at sign-in.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { queueFigures } from "../../worker/audit/metrics";
import {
  ClinicPolicy,
  ErrorBody,
  JobReportAck,
  Metrics,
  type JobReport,
} from "../../worker/contract";
import { randomHex } from "../../worker/hex";
import { adminOfNewClinic, api, createUser, initUpload, signIn } from "./helpers";

function report(overrides: Partial<JobReport> = {}): JobReport {
  return {
    ref: randomHex(16),
    sessionId: null,
    outcome: "delivered",
    queuedAt: 1_700_000_000_000,
    settledAt: 1_700_000_090_000,
    queuedOffline: true,
    retries: 2,
    bytesResent: 4096,
    files: 3,
    bytes: 123_456,
    ...overrides,
  };
}

async function send(token: string | undefined, body: unknown): Promise<Response> {
  return api("/api/reports", { method: "POST", ...(token ? { token } : {}), body });
}

async function storedRefs(clinic: string): Promise<string[]> {
  const rows = await env.DB.prepare("SELECT ref FROM job_reports WHERE clinic_id = ?")
    .bind(clinic)
    .all<{ ref: string }>();
  return rows.results.map((r) => r.ref);
}

describe("job reports", () => {
  it("refuses a report without a valid access token", async () => {
    const none = await send(undefined, report());
    expect(none.status).toBe(401);
    expect(ErrorBody.parse(await none.json()).error.code).toBe("unauthorized");
    const forged = await send("not-a-token", report());
    expect(forged.status).toBe(401);
  });

  it("records a report once, for the sender's clinic, and says so when it comes again", async () => {
    const { admin, session } = await adminOfNewClinic();
    const uploader = await signIn(await createUser({ clinic: admin.clinic }));
    const upload = await initUpload(uploader.accessToken, [
      { name: "a.dcm", bytes: new Uint8Array(1000).fill(7) },
    ]);
    const body = report({ ref: upload.sessionId, sessionId: upload.sessionId });
    const first = await send(uploader.accessToken, body);
    expect(first.status, await first.clone().text()).toBe(200);
    expect(JobReportAck.parse(await first.json())).toEqual({ ref: body.ref, recorded: true });
    const again = await send(uploader.accessToken, body);
    expect(JobReportAck.parse(await again.json())).toEqual({ ref: body.ref, recorded: false });

    const row = await env.DB.prepare("SELECT * FROM job_reports WHERE ref = ?")
      .bind(body.ref)
      .first();
    expect(row).toMatchObject({
      clinic_id: admin.clinic,
      user_id: uploader.user.id,
      device_id: uploader.deviceId,
      session_id: upload.sessionId,
      outcome: "delivered",
      queued_offline: 1,
      retries: 2,
      bytes_resent: 4096,
    });
    expect(await storedRefs(admin.clinic)).toEqual([body.ref]);
    // The admin of the clinic may report too (an admin uploads like anyone else).
    expect((await send(session.accessToken, report())).status).toBe(200);
  });

  it("refuses a report naming another clinic's upload session", async () => {
    const a = await adminOfNewClinic();
    const b = await adminOfNewClinic();
    const uploaderA = await signIn(await createUser({ clinic: a.clinic }));
    const sessionOfA = await initUpload(uploaderA.accessToken, [
      { name: "a.dcm", bytes: new Uint8Array(500).fill(1) },
    ]);
    const res = await send(
      b.session.accessToken,
      report({ ref: sessionOfA.sessionId, sessionId: sessionOfA.sessionId }),
    );
    expect(res.status).toBe(404);
    expect(ErrorBody.parse(await res.json()).error.code).toBe("not_found");
    expect(await storedRefs(b.clinic)).toEqual([]);
    expect(await storedRefs(a.clinic)).toEqual([]);
  });

  it("refuses fields beyond the contract, such as a patient's name or id, and stores nothing", async () => {
    const { clinic, session } = await adminOfNewClinic();
    for (const extra of [
      { patientName: "DOE^JANE" },
      { patientId: "PAT-123456" },
      { note: "Query fracture, left wrist" },
      { fileNames: ["DOE_JANE_CT.dcm"] },
    ]) {
      const res = await send(session.accessToken, { ...report(), ...extra });
      expect(res.status, JSON.stringify(extra)).toBe(400);
      expect(ErrorBody.parse(await res.json()).error.code).toBe("bad_request");
    }
    // A reference that is not opaque (it could carry a name) is refused as well.
    const named = await send(session.accessToken, report({ ref: "doe-jane-0001" }));
    expect(named.status).toBe(400);
    const backwards = await send(session.accessToken, report({ settledAt: 1 }));
    expect(backwards.status).toBe(400);
    expect(await storedRefs(clinic)).toEqual([]);
    const dump = JSON.stringify((await env.DB.prepare("SELECT * FROM job_reports").all()).results);
    expect(dump).not.toMatch(/DOE|JANE|PAT-123456|fracture/);
  });

  it("the dashboard shows the offline queue completion rate and client retries per study", async () => {
    const { clinic, session } = await adminOfNewClinic();
    const sent: JobReport[] = [
      report({ queuedOffline: true, outcome: "delivered", retries: 3 }),
      report({ queuedOffline: true, outcome: "delivered", retries: 1 }),
      report({ queuedOffline: true, outcome: "partially_delivered", retries: 5 }),
      report({ queuedOffline: true, outcome: "failed", retries: 0 }),
      report({ queuedOffline: false, outcome: "delivered", retries: 1 }),
      // Cancelled by the person: counts in neither figure.
      report({ queuedOffline: true, outcome: "cancelled", retries: 9 }),
    ];
    for (const r of sent) expect((await send(session.accessToken, r)).status).toBe(200);
    // Another clinic's reports never count here.
    const other = await adminOfNewClinic();
    await send(other.session.accessToken, report({ queuedOffline: true, outcome: "failed" }));

    const m = Metrics.parse(
      await (await api("/api/admin/metrics", { token: session.accessToken })).json(),
    );
    expect(m.offlineQueue).toEqual({ queued: 4, delivered: 2, completionRate: 0.5 });
    expect(m.clientRetries).toEqual({ studies: 5, meanPerStudy: 2 });
    const today = new Date().toISOString().slice(0, 10);
    expect(m.offlineDaily).toEqual([{ day: today, queued: 4, delivered: 2 }]);
    expect(await storedRefs(clinic)).toHaveLength(sent.length);
  });

  it("with no reports the figures are empty, not zero", () => {
    expect(queueFigures([])).toEqual({
      offlineQueue: { queued: 0, delivered: 0, completionRate: null },
      clientRetries: { studies: 0, meanPerStudy: null },
      offlineDaily: [],
    });
  });
});

describe("the clinic's queue policy", () => {
  it("is off by default, set by the clinic's admin only, and reaches its users at sign-in", async () => {
    const { admin, session } = await adminOfNewClinic();
    expect(session.clinicPolicy).toEqual({ encryptQueuedFiles: false, signInSecret: "password" });
    const uploaderUser = await createUser({ clinic: admin.clinic });
    const uploader = await signIn(uploaderUser);

    const refused = await api("/api/admin/policy", {
      method: "PUT",
      token: uploader.accessToken,
      body: { encryptQueuedFiles: true },
    });
    expect(refused.status).toBe(403);

    const set = await api("/api/admin/policy", {
      method: "PUT",
      token: session.accessToken,
      body: { encryptQueuedFiles: true },
    });
    expect(set.status, await set.clone().text()).toBe(200);
    expect(ClinicPolicy.parse(await set.json())).toEqual({
      encryptQueuedFiles: true,
      signInSecret: "password",
    });
    expect((await signIn(uploaderUser)).clinicPolicy).toEqual({
      encryptQueuedFiles: true,
      signInSecret: "password",
    });
    // A refresh carries it too (how a device already signed in learns of a change).
    const refreshed = await api("/api/auth/refresh", {
      method: "POST",
      body: { refreshToken: uploader.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    expect(
      ClinicPolicy.parse((await refreshed.json<{ clinicPolicy: unknown }>()).clinicPolicy),
    ).toEqual({ encryptQueuedFiles: true, signInSecret: "password" });

    // Another clinic is untouched.
    const other = await adminOfNewClinic();
    expect(other.session.clinicPolicy).toEqual({
      encryptQueuedFiles: false,
      signInSecret: "password",
    });
    const bad = await api("/api/admin/policy", {
      method: "PUT",
      token: session.accessToken,
      body: { encryptQueuedFiles: "yes" },
    });
    expect(bad.status).toBe(400);
  });
});
