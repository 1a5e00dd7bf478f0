// Test helpers inside workerd: a signed-in user in D1, and the upload protocol spoken through
// SELF.fetch exactly as the PWA speaks it.
import { env, SELF } from "cloudflare:test";
import { hashPassword, PBKDF2_ITERATIONS } from "../../worker/auth/passwords";
import {
  EnrollmentCreated,
  InitUploadResponse,
  LoginResponse,
  SessionStatus,
  SignInResponse,
  type SessionState,
} from "../../worker/contract";
import { randomHex, toHex } from "../../worker/hex";

export const BASE = "http://relay.test";

export function fixture(relPath: string): Uint8Array<ArrayBuffer> {
  const b64 = env.FIXTURES[relPath];
  if (!b64) throw new Error(`fixture not found: ${relPath}`);
  return Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
}

export async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", bytes));
}

export async function createUser(opts: { clinic?: string; role?: "admin" | "uploader" } = {}) {
  const clinic = opts.clinic ?? `clinic-${randomHex(4)}`;
  await env.DB.prepare("INSERT OR IGNORE INTO clinics (id, name, created_at) VALUES (?, ?, ?)")
    .bind(clinic, clinic, Date.now())
    .run();
  const id = crypto.randomUUID();
  const email = `${id.slice(0, 8)}@example.test`;
  const password = `pw-${randomHex(8)}`;
  const salt = randomHex(16);
  const hash = await hashPassword(password, salt, PBKDF2_ITERATIONS);
  await env.DB.prepare(
    "INSERT INTO users (id, clinic_id, email, name, role, password_hash, password_salt, password_iterations, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
  )
    .bind(
      id,
      clinic,
      email,
      "Test User",
      opts.role ?? "uploader",
      hash,
      salt,
      PBKDF2_ITERATIONS,
      Date.now(),
    )
    .run();
  return { id, email, password, clinic };
}

export async function login(user: { email: string; password: string }): Promise<string> {
  const res = await SELF.fetch(`${BASE}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: user.email, password: user.password }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return LoginResponse.parse(await res.json()).accessToken;
}

export interface LocalFile {
  name: string;
  bytes: Uint8Array<ArrayBuffer>;
}

export async function initUpload(
  accessToken: string,
  files: LocalFile[],
  extra: Record<string, unknown> = {},
) {
  const manifest = await Promise.all(
    files.map(async (f) => ({
      name: f.name,
      size: f.bytes.byteLength,
      sha256: await sha256(f.bytes),
    })),
  );
  const res = await SELF.fetch(`${BASE}/api/uploads`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({ files: manifest, ...extra }),
  });
  if (res.status !== 201) throw new Error(`init failed: ${res.status} ${await res.text()}`);
  return InitUploadResponse.parse(await res.json());
}

export function putChunk(
  session: { sessionId: string; uploadToken: string },
  file: number,
  offset: number,
  bytes: Uint8Array<ArrayBuffer>,
  sha?: string,
) {
  return (async () =>
    SELF.fetch(`${BASE}/api/uploads/${session.sessionId}/chunks/${file}/${offset}`, {
      method: "PUT",
      headers: {
        authorization: `Bearer ${session.uploadToken}`,
        "x-chunk-sha256": sha ?? (await sha256(bytes)),
        "content-type": "application/octet-stream",
      },
      body: bytes,
    }))();
}

/** Sends every byte of every file in chunks of `chunkSize`. */
export async function sendAll(
  session: { sessionId: string; uploadToken: string },
  files: LocalFile[],
  chunkSize: number,
): Promise<void> {
  for (const [index, f] of files.entries()) {
    const size = f.bytes.byteLength;
    for (let offset = 0; offset < size || (size === 0 && offset === 0); offset += chunkSize) {
      const res = await putChunk(session, index, offset, f.bytes.slice(offset, offset + chunkSize));
      if (res.status !== 201 && res.status !== 200)
        throw new Error(`chunk ${index}@${offset}: ${res.status} ${await res.text()}`);
      if (size === 0) break;
    }
  }
}

export async function complete(session: { sessionId: string; uploadToken: string }) {
  return SELF.fetch(`${BASE}/api/uploads/${session.sessionId}/complete`, {
    method: "POST",
    headers: { authorization: `Bearer ${session.uploadToken}` },
  });
}

export async function status(session: { sessionId: string; uploadToken: string }) {
  const res = await SELF.fetch(`${BASE}/api/uploads/${session.sessionId}`, {
    headers: { authorization: `Bearer ${session.uploadToken}` },
  });
  if (res.status !== 200) throw new Error(`status failed: ${res.status} ${await res.text()}`);
  return SessionStatus.parse(await res.json());
}

export async function waitForState(
  session: { sessionId: string; uploadToken: string },
  states: SessionState[],
  timeoutMs = 30_000,
) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const s = await status(session);
    if (states.includes(s.state)) return s;
    if (Date.now() > until) throw new Error(`timed out in state ${s.state}: ${s.message}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function r2Keys(sessionId: string): Promise<string[]> {
  const list = await env.CHUNKS.list({ prefix: `sessions/${sessionId}/` });
  return list.objects.map((o) => o.key);
}

// ---- identity (issue 7) ----------------------------------------------------------------------

/** Signs in and returns the whole answer: access and refresh tokens, device id, user. */
export async function signIn(
  user: { email: string; password: string },
  extra: Record<string, unknown> = {},
): Promise<SignInResponse> {
  const res = await api("/api/auth/login", {
    method: "POST",
    body: { email: user.email, password: user.password, ...extra },
  });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  return SignInResponse.parse(await res.json());
}

/** One API call through SELF.fetch: JSON body, bearer token, extra headers. */
export function api(
  path: string,
  opts: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  return SELF.fetch(`${BASE}${path}`, {
    method: opts.method ?? "GET",
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
}

/** A clinic with a signed-in admin. */
export async function adminOfNewClinic() {
  const admin = await createUser({ role: "admin" });
  return { admin, clinic: admin.clinic, session: await signIn(admin) };
}

/** An enrollment code created by this admin (201 expected). */
export async function createEnrollment(adminToken: string, body: Record<string, unknown> = {}) {
  const res = await api("/api/admin/enrollments", { method: "POST", token: adminToken, body });
  if (res.status !== 201) throw new Error(`enrollment failed: ${res.status} ${await res.text()}`);
  return EnrollmentCreated.parse(await res.json());
}

/** Enrolls a new person with a code; returns the raw response. */
export function enrollWith(
  code: string,
  person: { name?: string; password?: string; deviceName?: string } = {},
  headers: Record<string, string> = {},
): Promise<Response> {
  return api("/api/enroll", {
    method: "POST",
    headers,
    body: {
      code,
      name: person.name ?? "New Person",
      password: person.password ?? "a-long-pass-1",
      ...(person.deviceName ? { deviceName: person.deviceName } : {}),
    },
  });
}
