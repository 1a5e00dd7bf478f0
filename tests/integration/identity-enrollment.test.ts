// Enrollment codes inside workerd: an admin creates a single-use, expiring code; a person enrolls
// with it and is signed in on that device; used, replayed, raced, expired, withdrawn and unknown
// codes are refused with a plain explanation naming whom to ask.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  DeviceList,
  EnrollmentList,
  ErrorBody,
  SignInResponse,
  UserList,
} from "../../worker/contract";
import {
  adminOfNewClinic,
  api,
  createEnrollment,
  createUser,
  enrollWith,
  initUpload,
  signIn,
} from "./helpers";

const errorOf = async (res: Response) => ErrorBody.parse(await res.json()).error;
let ip = 0;
/** Each test enrolls from its own address, so the per-address limit is its own. */
const from = () => ({ "cf-connecting-ip": `198.51.100.${++ip}` });

describe("enrollment codes", () => {
  it("an admin's code enrolls a new person and signs this device in", async () => {
    const { admin, session } = await adminOfNewClinic();
    const before = Date.now();
    const created = await createEnrollment(session.accessToken, { personName: "Dr. Ada" });
    expect(created.code).toMatch(/^[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$/);
    expect(created.url).toBe(`http://relay.test/enroll#${created.code}`);
    expect(created.expiresAt).toBeGreaterThanOrEqual(before + 24 * 3600_000);
    expect(created.expiresAt).toBeLessThanOrEqual(Date.now() + 24 * 3600_000);
    const stored = await env.DB.prepare("SELECT * FROM enrollments WHERE id = ?")
      .bind(created.id)
      .first();
    expect(JSON.stringify(stored)).not.toContain(created.code);

    const res = await enrollWith(
      created.code,
      { name: "Ada Lovelace", deviceName: "Ada's phone" },
      from(),
    );
    expect(res.status).toBe(201);
    const enrolled = SignInResponse.parse(await res.json());
    expect(enrolled.user).toMatchObject({
      name: "Ada Lovelace",
      role: "uploader",
      clinicId: admin.clinic,
      email: "",
    });
    expect(
      (await initUpload(enrolled.accessToken, [{ name: "a", bytes: new Uint8Array(10) }]))
        .sessionId,
    ).toMatch(/^[0-9a-f]{32}$/);

    const list = EnrollmentList.parse(
      await (await api("/api/admin/enrollments", { token: session.accessToken })).json(),
    );
    expect(list.enrollments.find((e) => e.id === created.id)).toMatchObject({
      state: "used",
      personName: "Dr. Ada",
      userId: enrolled.user.id,
      createdBy: admin.id,
    });
    const devices = DeviceList.parse(
      await (await api("/api/admin/devices", { token: session.accessToken })).json(),
    );
    expect(devices.devices.find((d) => d.id === enrolled.deviceId)).toMatchObject({
      name: "Ada's phone",
      userName: "Ada Lovelace",
      revokedAt: null,
    });
    const users = UserList.parse(
      await (await api("/api/admin/users", { token: session.accessToken })).json(),
    );
    expect(users.users.find((u) => u.id === enrolled.user.id)).toMatchObject({ email: null });
  });

  it("the enrolled device signs its person in again with the password (no email needed)", async () => {
    const { session } = await adminOfNewClinic();
    const { code } = await createEnrollment(session.accessToken);
    const enrolled = SignInResponse.parse(
      await (await enrollWith(code, { password: "correct horse battery" }, from())).json(),
    );
    const again = await api("/api/auth/login", {
      method: "POST",
      body: { deviceId: enrolled.deviceId, password: "correct horse battery" },
    });
    expect(again.status).toBe(200);
    expect(SignInResponse.parse(await again.json()).deviceId).toBe(enrolled.deviceId);
    const wrong = await api("/api/auth/login", {
      method: "POST",
      body: { deviceId: enrolled.deviceId, password: "wrong password!!" },
    });
    expect(wrong.status).toBe(401);
  });

  it("an admin code makes an admin; codes typed loosely still work", async () => {
    const { session } = await adminOfNewClinic();
    const { code } = await createEnrollment(session.accessToken, { role: "admin" });
    const typed = ` ${code.toLowerCase().replace(/-/g, " ")} `;
    const res = await enrollWith(typed, {}, from());
    expect(res.status).toBe(201);
    const enrolled = SignInResponse.parse(await res.json());
    expect(enrolled.user.role).toBe("admin");
    expect((await api("/api/admin/users", { token: enrolled.accessToken })).status).toBe(200);
  });

  it("a used code is refused on replay, naming whom to ask", async () => {
    const { session } = await adminOfNewClinic();
    const { code } = await createEnrollment(session.accessToken);
    expect((await enrollWith(code, {}, from())).status).toBe(201);
    const replay = await enrollWith(code, { name: "Someone Else" }, from());
    expect(replay.status).toBe(410);
    const error = await errorOf(replay);
    expect(error.code).toBe("enrollment_used");
    expect(error.message).toMatch(
      /already been used.*Ask Test User \(your clinic's administrator\)/,
    );
  });

  it("two phones racing with one code: exactly one account is created", async () => {
    const { admin, session } = await adminOfNewClinic();
    const { code } = await createEnrollment(session.accessToken);
    const headers = from();
    const answers = await Promise.all(
      ["One", "Two", "Three"].map((name) => enrollWith(code, { name }, headers)),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([201, 410, 410]);
    const users = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM users WHERE clinic_id = ? AND role = 'uploader'",
    )
      .bind(admin.clinic)
      .first<{ n: number }>();
    expect(users?.n).toBe(1);
  });

  it("an expired code is refused with a plain explanation", async () => {
    const { session } = await adminOfNewClinic();
    const created = await createEnrollment(session.accessToken, { expiresInHours: 1 });
    await env.DB.prepare("UPDATE enrollments SET expires_at = ? WHERE id = ?")
      .bind(Date.now() - 1000, created.id)
      .run();
    const res = await enrollWith(created.code, {}, from());
    expect(res.status).toBe(410);
    const error = await errorOf(res);
    expect(error.code).toBe("enrollment_expired");
    expect(error.message).toMatch(/expired.*Ask .* for a new code/);
  });

  it("a withdrawn code is refused; a used one cannot be withdrawn", async () => {
    const { session } = await adminOfNewClinic();
    const a = await createEnrollment(session.accessToken);
    const del = await api(`/api/admin/enrollments/${a.id}`, {
      method: "DELETE",
      token: session.accessToken,
    });
    expect(del.status).toBe(200);
    const res = await enrollWith(a.code, {}, from());
    expect(res.status).toBe(410);
    expect((await errorOf(res)).code).toBe("enrollment_revoked");

    const b = await createEnrollment(session.accessToken);
    expect((await enrollWith(b.code, {}, from())).status).toBe(201);
    const late = await api(`/api/admin/enrollments/${b.id}`, {
      method: "DELETE",
      token: session.accessToken,
    });
    expect(late.status).toBe(410);
    expect((await errorOf(late)).message).toMatch(/disable them or revoke their device/);
  });

  it("an unknown code and a short password are explained", async () => {
    const unknown = await enrollWith("AAAAA-BBBBB-CCCCC-DDDDD", {}, from());
    expect(unknown.status).toBe(404);
    expect((await errorOf(unknown)).message).toMatch(/not valid.*whole link.*administrator/);
    const { session } = await adminOfNewClinic();
    const { code } = await createEnrollment(session.accessToken);
    const weak = await enrollWith(code, { password: "short" }, from());
    expect(weak.status).toBe(400);
    expect((await errorOf(weak)).message).toMatch(/at least 10 characters/);
    // The code was not spent by the refused attempt.
    expect((await enrollWith(code, {}, from())).status).toBe(201);
  });

  it("only admins create, list and withdraw codes", async () => {
    const { admin } = await adminOfNewClinic();
    const uploader = await signIn(await createUser({ clinic: admin.clinic }));
    const token = uploader.accessToken;
    expect((await api("/api/admin/enrollments", { method: "POST", token, body: {} })).status).toBe(
      403,
    );
    expect((await api("/api/admin/enrollments", { token })).status).toBe(403);
    expect(
      (await api(`/api/admin/enrollments/${"0".repeat(32)}`, { method: "DELETE", token })).status,
    ).toBe(403);
  });

  it("guessing codes from one address hits the limit (429 with Retry-After)", async () => {
    const headers = from();
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      statuses.push(
        (await enrollWith(`ZZZZZ-ZZZZZ-ZZZZZ-ZZZ${String(i).padStart(2, "0")}`, {}, headers))
          .status,
      );
    }
    expect(statuses.slice(0, 10).every((s) => s === 404)).toBe(true);
    expect(statuses[10]).toBe(429);
    const { session } = await adminOfNewClinic();
    const { code } = await createEnrollment(session.accessToken);
    const limited = await enrollWith(code, {}, headers);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await errorOf(limited)).message).toMatch(
      /^Too many attempts\. Try again in \d+ minutes?\.$/,
    );
    // Another address is not affected, and the code still works there.
    expect((await enrollWith(code, {}, from())).status).toBe(201);
  });
});
