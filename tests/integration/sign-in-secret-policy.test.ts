// The clinic's sign-in secret policy inside workerd: an admin chooses whether people enrolling pick
// a password or a PIN; the enroll page's lookup and the enrollment itself follow the clinic of the
// code; only that clinic's admin changes it (audited), and people enrolled before keep signing in.
import { describe, expect, it } from "vitest";
import {
  AuditPage,
  ClinicPolicy,
  EnrollmentLookup,
  ErrorBody,
  SignInResponse,
} from "../../worker/contract";
import { adminOfNewClinic, api, createEnrollment, createUser, enrollWith } from "./helpers";

const errorOf = async (res: Response) => ErrorBody.parse(await res.json()).error;
let ip = 0;
/** Each test enrolls from its own address, so the per-address limit is its own. */
const from = () => ({ "cf-connecting-ip": `203.0.113.${++ip}` });

function setPolicy(token: string, body: unknown): Promise<Response> {
  return api("/api/admin/policy", { method: "PUT", token, body });
}

async function pinClinic() {
  const clinic = await adminOfNewClinic();
  const res = await setPolicy(clinic.session.accessToken, { signInSecret: "pin" });
  expect(res.status, await res.clone().text()).toBe(200);
  return clinic;
}

function lookup(code: string, headers: Record<string, string>): Promise<Response> {
  return api("/api/enroll/lookup", { method: "POST", headers, body: { code } });
}

describe("the clinic's sign-in secret policy", () => {
  it("a PIN clinic's code asks for a PIN, refuses other secrets, and enrolls with 483920", async () => {
    const { clinic, session } = await pinClinic();
    const { code } = await createEnrollment(session.accessToken);
    const ask = await lookup(code, from());
    expect(ask.status).toBe(200);
    expect(EnrollmentLookup.parse(await ask.json())).toEqual({ signInSecret: "pin" });

    for (const secret of ["a-long-pass-1", "48392", "4839201234567", "48392a", "483 920"]) {
      const refused = await enrollWith(code, { password: secret }, from());
      expect(refused.status, secret).toBe(400);
      expect(await errorOf(refused)).toMatchObject({
        code: "bad_request",
        message: "Choose a PIN of 6 to 12 digits.",
      });
    }
    // Refusals spent nothing: the code still works.
    const res = await enrollWith(code, { name: "Dr. Pin", password: "483920" }, from());
    expect(res.status, await res.clone().text()).toBe(201);
    const enrolled = SignInResponse.parse(await res.json());
    expect(enrolled.user.clinicId).toBe(clinic);
    expect(enrolled.clinicPolicy.signInSecret).toBe("pin");
    const again = await api("/api/auth/login", {
      method: "POST",
      body: { deviceId: enrolled.deviceId, password: "483920" },
    });
    expect(again.status).toBe(200);
  });

  it("a password clinic (the default) asks for a password and refuses 483920", async () => {
    const { session } = await adminOfNewClinic();
    expect(session.clinicPolicy.signInSecret).toBe("password");
    const { code } = await createEnrollment(session.accessToken);
    const ask = await lookup(code, from());
    expect(EnrollmentLookup.parse(await ask.json())).toEqual({ signInSecret: "password" });
    const refused = await enrollWith(code, { password: "483920" }, from());
    expect(refused.status).toBe(400);
    expect(await errorOf(refused)).toMatchObject({
      code: "bad_request",
      message: "Choose a password of at least 10 characters.",
    });
    expect((await enrollWith(code, { password: "a-long-pass-1" }, from())).status).toBe(201);
  });

  it("the lookup explains dead codes like the enrollment does", async () => {
    const { session } = await pinClinic();
    const { code } = await createEnrollment(session.accessToken);
    expect((await enrollWith(code, { password: "483920" }, from())).status).toBe(201);
    const used = await lookup(code, from());
    expect(used.status).toBe(410);
    expect((await errorOf(used)).code).toBe("enrollment_used");
    const unknown = await lookup("ABCDE-FGHJK-MNPQR-STVWX", from());
    expect(unknown.status).toBe(404);
    expect((await errorOf(unknown)).code).toBe("enrollment_invalid");
  });

  it("only the clinic's admin changes it, audited; another clinic and earlier secrets are untouched", async () => {
    const { admin, session } = await adminOfNewClinic();
    const other = await adminOfNewClinic();
    // Enrolled under the password rule, before the change.
    const { code: earlier } = await createEnrollment(session.accessToken);
    const before = SignInResponse.parse(
      await (await enrollWith(earlier, { password: "correct horse battery" }, from())).json(),
    );

    const uploader = await createUser({ clinic: admin.clinic });
    const { accessToken: uploaderToken } = SignInResponse.parse(
      await (
        await api("/api/auth/login", {
          method: "POST",
          body: { email: uploader.email, password: uploader.password },
        })
      ).json(),
    );
    expect((await setPolicy(uploaderToken, { signInSecret: "pin" })).status).toBe(403);
    expect((await setPolicy(session.accessToken, { signInSecret: "fingerprint" })).status).toBe(
      400,
    );
    expect((await setPolicy(session.accessToken, {})).status).toBe(400);

    const set = await setPolicy(session.accessToken, { signInSecret: "pin" });
    expect(set.status).toBe(200);
    // Changing one field keeps the other.
    expect(ClinicPolicy.parse(await set.json())).toEqual({
      encryptQueuedFiles: false,
      signInSecret: "pin",
    });
    const both = await setPolicy(session.accessToken, { encryptQueuedFiles: true });
    expect(ClinicPolicy.parse(await both.json())).toEqual({
      encryptQueuedFiles: true,
      signInSecret: "pin",
    });

    const audit = AuditPage.parse(
      await (
        await api("/api/admin/audit?event=policy_changed", { token: session.accessToken })
      ).json(),
    );
    expect(audit.rows).toHaveLength(2);
    expect(audit.rows.every((r) => r.userId === admin.id && r.subjectId === admin.clinic)).toBe(
      true,
    );

    // The other clinic still asks for passwords; its admin sees its own policy.
    const otherPolicy = await api("/api/admin/policy", { token: other.session.accessToken });
    expect(ClinicPolicy.parse(await otherPolicy.json())).toEqual({
      encryptQueuedFiles: false,
      signInSecret: "password",
    });
    const { code: otherCode } = await createEnrollment(other.session.accessToken);
    expect(EnrollmentLookup.parse(await (await lookup(otherCode, from())).json())).toEqual({
      signInSecret: "password",
    });
    expect((await enrollWith(otherCode, { password: "483920" }, from())).status).toBe(400);

    // The person enrolled with a password before the change still signs in with it.
    const still = await api("/api/auth/login", {
      method: "POST",
      body: { deviceId: before.deviceId, password: "correct horse battery" },
    });
    expect(still.status).toBe(200);
  });
});
