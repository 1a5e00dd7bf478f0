import { describe, expect, it } from "vitest";
import { fakeJwt } from "./fake-auth";
import { localExpiry, StoredSession, toStored } from "./stored";

describe("local expiry", () => {
  it("counts the token's lifetime (exp - iat) from when it arrived, whatever the server's clock", () => {
    const serverIat = 2_000_000_000; // seconds: a server clock far from this device's
    const token = fakeJwt(serverIat, serverIat + 900, 1);
    expect(localExpiry(token, (serverIat + 900) * 1000, 5_000)).toBe(5_000 + 900_000);
  });

  it("falls back to the server's expiresAt (seconds or ms) for a token it cannot read", () => {
    expect(localExpiry("not-a-jwt", 1_800_000_000_000, 0)).toBe(1_800_000_000_000);
    expect(localExpiry("a.!!!.c", 1_800_000_000, 0)).toBe(1_800_000_000_000);
  });

  it("a plain LoginResponse becomes a session without refresh token or device", () => {
    const stored = toStored(
      {
        accessToken: fakeJwt(100, 1000, 1),
        expiresAt: 1_000_000,
        user: { id: "u", name: "N", email: "n@x.example", role: "admin", clinicId: "c" },
      },
      0,
    );
    expect(stored).toMatchObject({ refreshToken: null, deviceId: null, localExpiresAt: 900_000 });
    expect(StoredSession.safeParse(stored).success).toBe(true);
  });

  it("a damaged record read back does not pass as a session", () => {
    expect(StoredSession.safeParse({ accessToken: "x" }).success).toBe(false);
  });
});
