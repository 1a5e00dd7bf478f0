// The audit log and the dashboard metrics inside workerd, with a real upload to Orthanc: one row
// per event with who, when, device, session, counts, bytes and outcome; filters and CSV export.
import { describe, expect, it } from "vitest";
import { AuditPage, ErrorBody, Metrics, type AuditRow } from "../../worker/contract";
import {
  adminOfNewClinic,
  api,
  complete,
  createEnrollment,
  createUser,
  enrollWith,
  fixture,
  initUpload,
  sendAll,
  signIn,
  waitForState,
  type LocalFile,
} from "./helpers";
import { deleteFromOrthanc } from "./orthanc";

const MR = "transfer_syntax/explicit_vr_le/MR_small.dcm";
const MR_UID = "1.3.6.1.4.1.5962.1.1.4.1.1.20040826185059.5457";

async function auditOf(token: string, query = ""): Promise<AuditRow[]> {
  const res = await api(`/api/admin/audit${query}`, { token });
  expect(res.status, await res.clone().text()).toBe(200);
  return AuditPage.parse(await res.json()).rows;
}

describe("audit log", () => {
  it("records an upload from creation to delivery, and the dashboard counts it", async () => {
    const { admin, session } = await adminOfNewClinic();
    const uploaderUser = await createUser({ clinic: admin.clinic });
    const uploader = await signIn(uploaderUser, { deviceName: "Ward PC" });
    await deleteFromOrthanc(MR_UID);
    const files: LocalFile[] = [{ name: "mr.dcm", bytes: fixture(`dicom/${MR}`) }];
    const s = await initUpload(uploader.accessToken, files);
    await sendAll(s, files, 256 * 1024);
    expect((await complete(s)).status).toBe(200);
    expect((await waitForState(s, ["delivered", "partially_delivered", "failed"])).state).toBe(
      "delivered",
    );

    const rows = await auditOf(session.accessToken, `?user=${uploaderUser.id}`);
    const of = (event: string) => rows.filter((r) => r.event === event);
    const size = files[0]!.bytes.byteLength;
    expect(of("sign_in")).toEqual([
      expect.objectContaining({
        outcome: "ok",
        deviceId: uploader.deviceId,
        userName: "Test User",
      }),
    ]);
    expect(of("session_created")[0]).toMatchObject({
      sessionId: s.sessionId,
      deviceId: uploader.deviceId,
      files: 1,
      bytes: size,
    });
    expect(of("session_completed")[0]).toMatchObject({ sessionId: s.sessionId, accepted: 1 });
    expect(of("session_delivered")).toEqual([
      expect.objectContaining({
        outcome: "delivered",
        sessionId: s.sessionId,
        userId: uploaderUser.id,
        deviceId: uploader.deviceId,
        files: 1,
        stored: 1,
        failed: 0,
        bytes: size,
        retries: 0,
      }),
    ]);

    const m = Metrics.parse(
      await (await api("/api/admin/metrics", { token: session.accessToken })).json(),
    );
    expect(m).toMatchObject({ sessionsFinished: 1, uploadSuccessRate: 1, meanRetriesPerStudy: 0 });
    expect(m.volume).toEqual([
      { clinicId: admin.clinic, sessions: 1, bytes: size, delivered: 1, failed: 0 },
    ]);
    expect(m.daily.at(-1)).toMatchObject({ sessions: 1, delivered: 1 });
    expect(m.timeToFirstUpload.devices).toBe(1);
    expect(m.timeToFirstUpload.medianMs).toBeGreaterThanOrEqual(0);
    expect(m.needsAttention).toEqual([]);
  });

  it("records sign-ins refused, enrollments and admin changes; filters by outcome and time", async () => {
    const { admin, session } = await adminOfNewClinic();
    const user = await createUser({ clinic: admin.clinic });
    const wrong = await api("/api/auth/login", {
      method: "POST",
      body: { email: user.email, password: "not the password" },
    });
    expect(wrong.status).toBe(401);
    const code = await createEnrollment(session.accessToken);
    expect((await enrollWith(code.code, {}, { "cf-connecting-ip": "192.0.2.77" })).status).toBe(
      201,
    );
    await api("/api/admin/destination", {
      method: "PUT",
      token: session.accessToken,
      body: { name: "PACS", adapter: "stow-rs", url: "http://127.0.0.1:9/dicom-web" },
    });

    const refused = await auditOf(session.accessToken, "?outcome=refused");
    expect(refused).toEqual([
      expect.objectContaining({ event: "sign_in", outcome: "refused", userId: user.id }),
    ]);
    const all = await auditOf(session.accessToken);
    const events = all.map((r) => r.event);
    expect(events).toEqual(
      expect.arrayContaining(["enrollment_created", "enrolled", "destination_changed"]),
    );
    expect(all.find((r) => r.event === "enrolled")?.subjectId).toBe(code.id);
    const future = new Date(Date.now() + 3600_000).toISOString();
    expect(await auditOf(session.accessToken, `?from=${future}`)).toEqual([]);
    expect((await auditOf(session.accessToken, `?to=${Date.now()}&limit=2`)).length).toBe(2);

    const bad = await api("/api/admin/audit?from=yesterday", { token: session.accessToken });
    expect(bad.status).toBe(400);
    expect(ErrorBody.parse(await bad.json()).error.message).toMatch(/ISO 8601/);
  });

  it("exports CSV, neutralising cells a spreadsheet would run", async () => {
    const { session } = await adminOfNewClinic();
    const { code } = await createEnrollment(session.accessToken);
    const res = await enrollWith(
      code,
      { name: '=HYPERLINK("x","y")' },
      {
        "cf-connecting-ip": "192.0.2.78",
      },
    );
    expect(res.status).toBe(201);
    const csv = await api("/api/admin/audit?format=csv", { token: session.accessToken });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(csv.headers.get("content-disposition")).toMatch(
      /attachment; filename="relaypacs-audit-/,
    );
    const lines = (await csv.text()).trim().split("\r\n");
    expect(lines[0]).toBe(
      "time,event,outcome,user_id,user_name,device_id,session_id,subject_id,files,accepted,stored,failed,bytes,retries,reasons",
    );
    const enrolled = lines.find((l) => l.includes(",enrolled,"));
    expect(enrolled).toContain(`"'=HYPERLINK(""x"",""y"")"`);
    expect(lines.length).toBeGreaterThanOrEqual(4);
  });
});
