import { describe, expect, it } from "vitest";
import {
  ClinicPolicy,
  ClinicPolicyChange,
  EnrollmentLookup,
  EnrollRequest,
  Pin,
  secretProblem,
  SignInResponse,
} from "./index";

describe("the sign-in secret rules", () => {
  it("a PIN is 6 to 12 digits and nothing else", () => {
    for (const ok of ["483920", "000000", "123456789012"]) {
      expect(Pin.safeParse(ok).success, ok).toBe(true);
      expect(secretProblem("pin", ok), ok).toBeNull();
    }
    for (const bad of [
      "48392",
      "1234567890123",
      "48392a",
      "483 920",
      "４８３９２０",
      "",
      "a-long-pass-1",
    ]) {
      expect(Pin.safeParse(bad).success, bad).toBe(false);
      expect(secretProblem("pin", bad), bad).toBe("Choose a PIN of 6 to 12 digits.");
    }
  });

  it("a password is at least 10 characters, so a 6-digit PIN is not one", () => {
    expect(secretProblem("password", "a-long-pass-1")).toBeNull();
    expect(secretProblem("password", "4839201234")).toBeNull();
    expect(secretProblem("password", "483920")).toBe(
      "Choose a password of at least 10 characters.",
    );
  });

  it("an enroll request carries either kind: the worker applies the clinic's rule", () => {
    const request = { code: "ABCDE-FGHJK", name: "Dr. Pin" };
    expect(EnrollRequest.safeParse({ ...request, password: "483920" }).success).toBe(true);
    expect(EnrollRequest.safeParse({ ...request, password: "" }).success).toBe(false);
  });
});

describe("the clinic policy on the wire", () => {
  it("asks for a password unless the admin chose a PIN, also from older servers", () => {
    expect(ClinicPolicy.parse({ encryptQueuedFiles: true })).toEqual({
      encryptQueuedFiles: true,
      signInSecret: "password",
    });
    expect(
      ClinicPolicy.parse({ encryptQueuedFiles: false, signInSecret: "pin" }).signInSecret,
    ).toBe("pin");
    expect(
      ClinicPolicy.safeParse({ encryptQueuedFiles: false, signInSecret: "face" }).success,
    ).toBe(false);
    const signIn = {
      accessToken: "a",
      expiresAt: 1,
      user: { id: "u", name: "n", email: "", role: "uploader", clinicId: "c" },
      refreshToken: "r",
      refreshExpiresAt: 2,
      deviceId: "0".repeat(32),
    };
    expect(SignInResponse.parse(signIn).clinicPolicy).toEqual({
      encryptQueuedFiles: false,
      signInSecret: "password",
    });
  });

  it("a change names at least one field and only known values", () => {
    expect(ClinicPolicyChange.parse({ signInSecret: "pin" })).toEqual({ signInSecret: "pin" });
    expect(ClinicPolicyChange.parse({ encryptQueuedFiles: true })).toEqual({
      encryptQueuedFiles: true,
    });
    expect(ClinicPolicyChange.safeParse({}).success).toBe(false);
    expect(ClinicPolicyChange.safeParse({ signInSecret: "PIN" }).success).toBe(false);
    expect(EnrollmentLookup.safeParse({ signInSecret: "pin" }).success).toBe(true);
  });
});
