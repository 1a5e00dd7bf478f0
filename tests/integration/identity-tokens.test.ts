// Sign-in, refresh and revocation inside workerd: access tokens that are tampered with, expired,
// meant for another audience or lack their sign-in id; rotating refresh tokens, a replayed one
// revoking its whole family; sign-out, disabled users and revoked devices refused at once.
// (Upload-token cases live in verification.test.ts and upload-protocol.test.ts.)
import { env } from "cloudflare:test";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { signAccessToken, signUploadToken } from "../../worker/auth/tokens";
import { ErrorBody, SignInResponse } from "../../worker/contract";
import {
  adminOfNewClinic,
  api,
  createUser,
  initUpload,
  putChunk,
  signIn,
  type LocalFile,
} from "./helpers";

const errorOf = async (res: Response) => ErrorBody.parse(await res.json()).error;
const file: LocalFile = { name: "a", bytes: new Uint8Array(1000).fill(7) };
/** A call only a live access token passes (creates an upload session). */
const createSession = (token: string) =>
  api("/api/uploads", {
    method: "POST",
    token,
    body: { files: [{ name: "a", size: 1, sha256: "0".repeat(64) }] },
  });
const refresh = (refreshToken: string) =>
  api("/api/auth/refresh", { method: "POST", body: { refreshToken } });

describe("access tokens", () => {
  it("sign-in returns an access token, a refresh token and the device it created", async () => {
    const user = await createUser();
    const s = await signIn(user);
    expect(s.accessToken.split(".")).toHaveLength(3);
    expect(s.refreshToken.length).toBeGreaterThanOrEqual(40);
    expect(s.refreshExpiresAt).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect(s.expiresAt).toBeLessThanOrEqual(Date.now() + 15 * 60_000 + 1000);
    const stored = await env.DB.prepare("SELECT token_hash FROM refresh_tokens").all();
    expect(JSON.stringify(stored.results)).not.toContain(s.refreshToken);
    expect((await createSession(s.accessToken)).status).toBe(201);
  });

  it("refuses a tampered, a foreign-key, a wrong-audience, an expired and a sid-less token", async () => {
    const user = await createUser();
    const s = await signIn(user);
    const [header, payload, signature] = s.accessToken.split(".") as [string, string, string];
    const claims = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as Record<
      string,
      unknown
    >;
    const raised = btoa(JSON.stringify({ ...claims, role: "admin" }))
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "");
    const subject = { sub: user.id, clinic: user.clinic, role: "uploader" as const, sid: "x" };
    const foreignKey = await new SignJWT({ clinic: user.clinic, role: "admin", sid: "x" })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer("relaypacs")
      .setAudience("relaypacs:api")
      .setSubject(user.id)
      .setExpirationTime("10m")
      .sign(new TextEncoder().encode("another-secret-0123456789abcdef-0123456789"));
    const upload = await signUploadToken(env.JWT_SECRET, subject, "0".repeat(32));
    const expired = await signAccessToken(env.JWT_SECRET, subject, Date.now() - 3600_000);
    const noSid = await signAccessToken(env.JWT_SECRET, { ...subject, sid: undefined });
    const cases: Array<[string, string, string]> = [
      ["tampered", `${header}.${raised}.${signature}`, "unauthorized"],
      ["foreign key", foreignKey, "unauthorized"],
      ["upload audience", upload.token, "unauthorized"],
      ["expired", expired.token, "token_expired"],
      ["no sid", noSid.token, "unauthorized"],
    ];
    for (const [name, token, code] of cases) {
      const res = await createSession(token);
      expect(res.status, name).toBe(401);
      expect((await errorOf(res)).code, name).toBe(code);
    }
  });

  it("a validly signed token naming someone else's sign-in is refused", async () => {
    const victim = await signIn(await createUser());
    const attacker = await createUser();
    const sid = (
      await env.DB.prepare("SELECT id FROM auth_sessions WHERE device_id = ?")
        .bind(victim.deviceId)
        .first<{ id: string }>()
    )?.id;
    const forged = await signAccessToken(env.JWT_SECRET, {
      sub: attacker.id,
      clinic: attacker.clinic,
      role: "uploader",
      sid,
    });
    const res = await createSession(forged.token);
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe("session_revoked");
  });
});

describe("refresh tokens", () => {
  it("rotate: each refresh token works once and yields a working access token", async () => {
    const first = await signIn(await createUser());
    const res = await refresh(first.refreshToken);
    expect(res.status).toBe(200);
    const second = SignInResponse.parse(await res.json());
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.deviceId).toBe(first.deviceId);
    expect((await createSession(second.accessToken)).status).toBe(201);
    const third = SignInResponse.parse(await (await refresh(second.refreshToken)).json());
    expect((await createSession(third.accessToken)).status).toBe(201);
  });

  it("a replayed refresh token revokes its whole family at once", async () => {
    const first = await signIn(await createUser());
    const second = SignInResponse.parse(await (await refresh(first.refreshToken)).json());
    const replay = await refresh(first.refreshToken);
    expect(replay.status).toBe(401);
    const error = await errorOf(replay);
    expect(error.code).toBe("session_revoked");
    expect(error.message).toMatch(/used a second time.*Sign in again/);
    // The thief's and the owner's newest tokens are dead too.
    expect((await refresh(second.refreshToken)).status).toBe(401);
    const denied = await createSession(second.accessToken);
    expect(denied.status).toBe(401);
    expect((await errorOf(denied)).code).toBe("session_revoked");
    expect((await createSession(first.accessToken)).status).toBe(401);
  });

  it("two refreshes racing with one token: one wins, the family is revoked", async () => {
    const s = await signIn(await createUser());
    const answers = await Promise.all([refresh(s.refreshToken), refresh(s.refreshToken)]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 401]);
    const winner = SignInResponse.parse(await answers.find((r) => r.status === 200)!.json());
    expect((await refresh(winner.refreshToken)).status).toBe(401);
  });

  it("an unknown or expired refresh token is refused in plain words", async () => {
    const unknown = await refresh("not-a-real-refresh-token");
    expect(unknown.status).toBe(401);
    expect((await errorOf(unknown)).message).toMatch(/Sign in again/);
    const s = await signIn(await createUser());
    await env.DB.prepare(
      "UPDATE refresh_tokens SET expires_at = ? WHERE session_id IN (SELECT id FROM auth_sessions WHERE device_id = ?)",
    )
      .bind(Date.now() - 1, s.deviceId)
      .run();
    const expired = await refresh(s.refreshToken);
    expect(expired.status).toBe(401);
    expect((await errorOf(expired)).code).toBe("token_expired");
  });
});

describe("revocation takes effect at once", () => {
  it("sign-out ends the access and refresh tokens of that sign-in only", async () => {
    const user = await createUser();
    const a = await signIn(user);
    const b = await signIn(user);
    const out = await api("/api/auth/logout", { method: "POST", token: a.accessToken });
    expect(out.status).toBe(200);
    const denied = await createSession(a.accessToken);
    expect(denied.status).toBe(401);
    expect((await errorOf(denied)).message).toMatch(/signed out/);
    expect((await refresh(a.refreshToken)).status).toBe(401);
    expect((await createSession(b.accessToken)).status).toBe(201);
  });

  it("sign-out with only the refresh token (the access token already expired)", async () => {
    const s = await signIn(await createUser());
    const out = await api("/api/auth/logout", {
      method: "POST",
      body: { refreshToken: s.refreshToken },
    });
    expect(out.status).toBe(200);
    expect((await createSession(s.accessToken)).status).toBe(401);
  });

  it("a disabled user's access, upload and refresh tokens stop working immediately", async () => {
    const { clinic, session: admin } = await adminOfNewClinic();
    const user = await createUser({ clinic });
    const s = await signIn(user);
    const upload = await initUpload(s.accessToken, [file]);
    const res = await api(`/api/admin/users/${user.id}/disable`, {
      method: "POST",
      token: admin.accessToken,
    });
    expect(res.status).toBe(200);
    const denied = await createSession(s.accessToken);
    expect(denied.status).toBe(403);
    const error = await errorOf(denied);
    expect(error.code).toBe("account_disabled");
    expect(error.message).toMatch(/administrator/);
    expect((await putChunk(upload, 0, 0, file.bytes)).status).toBe(403);
    expect((await refresh(s.refreshToken)).status).toBe(403);
    expect((await api("/api/auth/login", { method: "POST", body: user })).status).toBe(401);

    // Enabled again: old sign-ins stay ended, a new one works.
    await api(`/api/admin/users/${user.id}/enable`, { method: "POST", token: admin.accessToken });
    expect((await createSession(s.accessToken)).status).toBe(401);
    expect((await createSession((await signIn(user)).accessToken)).status).toBe(201);
  });

  it("a revoked device's tokens stop working, and it cannot sign in again", async () => {
    const { admin, session } = await adminOfNewClinic();
    const user = await createUser({ clinic: admin.clinic });
    const s = await signIn(user, { deviceName: "Ward tablet" });
    const res = await api(`/api/admin/devices/${s.deviceId}/revoke`, {
      method: "POST",
      token: session.accessToken,
    });
    expect(res.status).toBe(200);
    const denied = await createSession(s.accessToken);
    expect(denied.status).toBe(401);
    expect((await errorOf(denied)).code).toBe("device_revoked");
    expect((await refresh(s.refreshToken)).status).toBe(401);
    const again = await api("/api/auth/login", {
      method: "POST",
      body: { deviceId: s.deviceId, password: user.password },
    });
    expect(again.status).toBe(401);
    expect((await errorOf(again)).message).toMatch(/removed.*enrollment code/);
    // The same person on another device is not affected.
    expect((await createSession((await signIn(user)).accessToken)).status).toBe(201);
  });

  it("an admin cannot disable their own account", async () => {
    const { admin, session } = await adminOfNewClinic();
    const res = await api(`/api/admin/users/${admin.id}/disable`, {
      method: "POST",
      token: session.accessToken,
    });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(/another administrator/);
  });
});
