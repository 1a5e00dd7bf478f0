// Tenant scope on every route: an admin or uploader of clinic B can neither see nor touch clinic
// A's upload sessions, audit rows, users, devices, enrollment codes or destination; and an
// uploader cannot use any admin route at all.
import { beforeAll, describe, expect, it } from "vitest";
import {
  AuditPage,
  DeviceList,
  Destination,
  EnrollmentList,
  Metrics,
  UserList,
} from "../../worker/contract";
import {
  adminOfNewClinic,
  api,
  createEnrollment,
  createUser,
  enrollWith,
  initUpload,
  putChunk,
  signIn,
  status,
} from "./helpers";

type Clinic = Awaited<ReturnType<typeof setUpClinic>>;
const bytes = new Uint8Array(2000).fill(3);

async function setUpClinic(destinationName: string) {
  const { admin, session } = await adminOfNewClinic();
  const uploaderUser = await createUser({ clinic: admin.clinic });
  const uploader = await signIn(uploaderUser);
  const upload = await initUpload(uploader.accessToken, [{ name: "a", bytes }]);
  const enrollment = await createEnrollment(session.accessToken);
  const dest = await api("/api/admin/destination", {
    method: "PUT",
    token: session.accessToken,
    body: { name: destinationName, adapter: "stow-rs", url: "http://127.0.0.1:9/dicom-web" },
  });
  expect(dest.status).toBe(200);
  return { admin, adminToken: session.accessToken, uploaderUser, uploader, upload, enrollment };
}

let a: Clinic;
let b: Clinic;
beforeAll(async () => {
  a = await setUpClinic("Clinic A PACS");
  b = await setUpClinic("Clinic B PACS");
});

describe("an admin of clinic B", () => {
  it("lists only their own users, devices, enrollment codes and audit rows", async () => {
    const users = UserList.parse(
      await (await api("/api/admin/users", { token: b.adminToken })).json(),
    );
    expect(users.users.map((u) => u.id).sort()).toEqual([b.admin.id, b.uploaderUser.id].sort());
    const devices = DeviceList.parse(
      await (await api("/api/admin/devices", { token: b.adminToken })).json(),
    );
    expect(devices.devices.map((d) => d.userId)).not.toContain(a.uploaderUser.id);
    expect(devices.devices.map((d) => d.id)).toContain(b.uploader.deviceId);
    const codes = EnrollmentList.parse(
      await (await api("/api/admin/enrollments", { token: b.adminToken })).json(),
    );
    expect(codes.enrollments.map((e) => e.id)).toEqual([b.enrollment.id]);
    const audit = AuditPage.parse(
      await (await api("/api/admin/audit", { token: b.adminToken })).json(),
    );
    expect(audit.rows.length).toBeGreaterThan(0);
    const text = JSON.stringify(audit);
    for (const foreign of [a.admin.id, a.uploaderUser.id, a.upload.sessionId, a.enrollment.id]) {
      expect(text).not.toContain(foreign);
    }
    const filtered = AuditPage.parse(
      await (
        await api(`/api/admin/audit?user=${a.uploaderUser.id}`, { token: b.adminToken })
      ).json(),
    );
    expect(filtered.rows).toEqual([]);
    const csv = await (await api("/api/admin/audit?format=csv", { token: b.adminToken })).text();
    expect(csv).not.toContain(a.upload.sessionId);
    const metrics = Metrics.parse(
      await (await api("/api/admin/metrics", { token: b.adminToken })).json(),
    );
    expect(metrics.volume).toEqual([
      expect.objectContaining({ clinicId: b.admin.clinic, sessions: 1 }),
    ]);
  });

  it("cannot disable, enable or revoke clinic A's people, devices or codes (404)", async () => {
    const token = b.adminToken;
    const attempts = [
      api(`/api/admin/users/${a.uploaderUser.id}/disable`, { method: "POST", token }),
      api(`/api/admin/users/${a.uploaderUser.id}/enable`, { method: "POST", token }),
      api(`/api/admin/devices/${a.uploader.deviceId}/revoke`, { method: "POST", token }),
      api(`/api/admin/enrollments/${a.enrollment.id}`, { method: "DELETE", token }),
      api(`/api/admin/uploads/${a.upload.sessionId}/redrive`, { method: "POST", token }),
    ];
    for (const res of await Promise.all(attempts)) expect(res.status).toBe(404);
    // Clinic A is untouched: its uploader still works, its code still enrolls.
    expect((await putChunk(a.upload, 0, 0, bytes)).status).toBe(201);
    expect(
      (await enrollWith(a.enrollment.code, {}, { "cf-connecting-ip": "203.0.113.50" })).status,
    ).toBe(201);
  });

  it("sets and resets only their own clinic's destination", async () => {
    const reset = await api("/api/admin/destination", { method: "DELETE", token: b.adminToken });
    expect(reset.status).toBe(200);
    const mine = Destination.parse(
      await (await api("/api/admin/destination", { token: a.adminToken })).json(),
    );
    expect(mine.config.name).toBe("Clinic A PACS");
  });
});

describe("an uploader of clinic B", () => {
  it("cannot see or touch clinic A's upload session", async () => {
    const token = b.uploader.accessToken;
    const id = a.upload.sessionId;
    expect((await api(`/api/uploads/${id}`, { token })).status).toBe(404);
    expect((await api(`/api/uploads/${id}/token`, { method: "POST", token })).status).toBe(404);
    // B's own upload token is bound to B's session: A's session refuses it.
    const foreign = { sessionId: id, uploadToken: b.upload.uploadToken };
    expect((await putChunk(foreign, 0, 0, bytes)).status).toBe(401);
    expect(
      (await api(`/api/uploads/${id}/complete`, { method: "POST", token: b.upload.uploadToken }))
        .status,
    ).toBe(401);
    expect((await api(`/api/uploads/${id}`, { token: b.upload.uploadToken })).status).toBe(401);
    expect((await status(a.upload)).files[0]?.received).toEqual([[0, 2000]]);
  });

  it("is refused every admin route (403), even for their own clinic", async () => {
    const token = b.uploader.accessToken;
    const routes: Array<[string, string]> = [
      ["GET", "/api/admin/destination"],
      ["PUT", "/api/admin/destination"],
      ["DELETE", "/api/admin/destination"],
      ["POST", `/api/admin/uploads/${b.upload.sessionId}/redrive`],
      ["GET", "/api/admin/users"],
      ["POST", `/api/admin/users/${b.admin.id}/disable`],
      ["POST", `/api/admin/users/${b.admin.id}/enable`],
      ["GET", "/api/admin/devices"],
      ["POST", `/api/admin/devices/${b.uploader.deviceId}/revoke`],
      ["GET", "/api/admin/enrollments"],
      ["POST", "/api/admin/enrollments"],
      ["DELETE", `/api/admin/enrollments/${b.enrollment.id}`],
      ["GET", "/api/admin/audit"],
      ["GET", "/api/admin/audit?format=csv"],
      ["GET", "/api/admin/metrics"],
    ];
    for (const [method, path] of routes) {
      const res = await api(path, { method, token, body: method === "GET" ? undefined : {} });
      expect(res.status, `${method} ${path}`).toBe(403);
    }
  });
});
