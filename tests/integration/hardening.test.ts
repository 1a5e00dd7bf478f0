// Hardening inside workerd: security headers on every route (errors and 404s too), no CORS for
// other sites, a plain 503 without the signing key, rate limits on sign-in, enrollment and
// session creation, and no patient data in anything the worker logs while a corpus study travels
// to a real Orthanc.
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { app } from "../../worker/app";
import { sha256Hex } from "../../worker/auth/digest";
import { AuditPage, ErrorBody } from "../../worker/contract";
import { readDicomHeader } from "../../worker/dicom/header";
import { RULES } from "../../worker/security/rate-limits";
import {
  adminOfNewClinic,
  api,
  complete,
  createEnrollment,
  createUser,
  fixture,
  initUpload,
  sendAll,
  signIn,
  waitForState,
  type LocalFile,
} from "./helpers";
import { deleteFromOrthanc } from "./orthanc";

const errorOf = async (res: Response) => ErrorBody.parse(await res.json()).error;
const EXPECTED_HEADERS: Record<string, RegExp> = {
  "content-security-policy": /^default-src 'none'; frame-ancestors 'none'/,
  "strict-transport-security": /^max-age=\d{8,}; includeSubDomains$/,
  "referrer-policy": /^no-referrer$/,
  "permissions-policy": /^camera=\(self\), microphone=\(\)/,
  "x-content-type-options": /^nosniff$/,
  "x-frame-options": /^DENY$/,
  "cache-control": /no-store/,
};

function expectSecurityHeaders(res: Response, what: string) {
  for (const [name, pattern] of Object.entries(EXPECTED_HEADERS)) {
    expect(res.headers.get(name), `${what}: ${name}`).toMatch(pattern);
  }
  expect(res.headers.get("permissions-policy"), what).not.toMatch(/[a-z-]+=\((?!self\)|\))/);
  expect(res.headers.get("access-control-allow-origin"), what).toBeNull();
}

describe("security headers", () => {
  it("are on every route's answer, successes and errors alike", async () => {
    const { admin, session } = await adminOfNewClinic();
    const uploader = await signIn(await createUser({ clinic: admin.clinic }));
    const file = { name: "a", bytes: new Uint8Array(100) };
    const up = await initUpload(uploader.accessToken, [file]);
    const code = await createEnrollment(session.accessToken);
    const t = session.accessToken;
    const calls: Array<[string, string, string | undefined, unknown]> = [
      ["GET", "/api/health", undefined, undefined],
      ["POST", "/api/auth/login", undefined, { email: "x@example.test", password: "nope-nope" }],
      ["POST", "/api/auth/login", undefined, "not json"],
      ["POST", "/api/auth/refresh", undefined, { refreshToken: "nope" }],
      ["POST", "/api/auth/logout", undefined, {}],
      ["POST", "/api/enroll", undefined, { code: "X", name: "N", password: "p" }],
      ["POST", "/api/uploads", uploader.accessToken, { files: [] }],
      ["GET", `/api/uploads/${up.sessionId}`, up.uploadToken, undefined],
      ["POST", `/api/uploads/${up.sessionId}/token`, uploader.accessToken, undefined],
      ["PUT", `/api/uploads/${up.sessionId}/chunks/0/0`, "bad-token", undefined],
      ["POST", `/api/uploads/${up.sessionId}/complete`, up.uploadToken, undefined],
      ["GET", "/api/admin/destination", t, undefined],
      ["PUT", "/api/admin/destination", t, { name: "x" }],
      ["DELETE", "/api/admin/destination", t, undefined],
      ["POST", `/api/admin/uploads/${up.sessionId}/redrive`, t, undefined],
      ["GET", "/api/admin/users", t, undefined],
      ["POST", `/api/admin/users/${admin.id}/enable`, t, undefined],
      ["POST", `/api/admin/users/${admin.id}/disable`, t, undefined],
      ["GET", "/api/admin/devices", t, undefined],
      ["POST", `/api/admin/devices/${"0".repeat(32)}/revoke`, t, undefined],
      ["GET", "/api/admin/enrollments", t, undefined],
      ["POST", "/api/admin/enrollments", t, {}],
      ["DELETE", `/api/admin/enrollments/${code.id}`, t, undefined],
      ["GET", "/api/admin/audit", t, undefined],
      ["GET", "/api/admin/audit?format=csv", t, undefined],
      ["GET", "/api/admin/metrics", t, undefined],
      ["GET", "/api/admin/users", undefined, undefined],
      ["GET", "/api/nothing-here", undefined, undefined],
      ["OPTIONS", "/api/health", undefined, undefined],
    ];
    const statuses = new Set<number>();
    for (const [method, path, token, body] of calls) {
      const res = await api(path, {
        method,
        token,
        body: typeof body === "string" ? undefined : body,
        headers: typeof body === "string" ? { "content-type": "application/json" } : {},
      });
      statuses.add(res.status);
      expectSecurityHeaders(res, `${method} ${path} → ${res.status}`);
      await res.body?.cancel();
    }
    // The list really covers successes, client errors and the 404 of an unknown address.
    for (const s of [200, 201, 204, 400, 401, 404]) expect(statuses).toContain(s);
  });
});

describe("same origin only", () => {
  it("refuses cross-origin preflights and requests, and sends no CORS headers", async () => {
    const preflight = await api("/api/auth/login", {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(403);
    expectSecurityHeaders(preflight, "preflight");
    expect(preflight.headers.get("access-control-allow-methods")).toBeNull();
    const user = await createUser();
    const cross = await api("/api/auth/login", {
      method: "POST",
      headers: { origin: "https://evil.example" },
      body: { email: user.email, password: user.password },
    });
    expect(cross.status).toBe(403);
    expect((await errorOf(cross)).code).toBe("cross_origin");
    const same = await api("/api/auth/login", {
      method: "POST",
      headers: { origin: "http://relay.test" },
      body: { email: user.email, password: user.password },
    });
    expect(same.status).toBe(200);
    expect(same.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("missing signing key", () => {
  it("every API route answers a plain 503 naming the fix", async () => {
    const unconfigured = { ...env, JWT_SECRET: undefined };
    for (const path of ["/api/health", "/api/auth/login", "/api/admin/users"]) {
      const res = await app.request(`http://relay.test${path}`, { method: "GET" }, unconfigured);
      expect(res.status, path).toBe(503);
      const error = await errorOf(res);
      expect(error.code).toBe("not_configured");
      expect(error.message).toMatch(/JWT_SECRET.*wrangler secret put JWT_SECRET/);
    }
  });
});

describe("rate limits", () => {
  it("brute-forcing one account's password is stopped after 5 failures, even from many addresses", async () => {
    const user = await createUser();
    const attempt = (password: string, n: number) =>
      api("/api/auth/login", {
        method: "POST",
        headers: { "cf-connecting-ip": `203.0.113.${n}` },
        body: { email: user.email, password },
      });
    for (let i = 0; i < 5; i++) expect((await attempt(`guess-${i}`, i)).status).toBe(401);
    const limited = await attempt("guess-5", 5);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(60);
    expect((await errorOf(limited)).message).toBe("Too many attempts. Try again in 3 minutes.");
    expectSecurityHeaders(limited, "429");
    // Even the right password waits: the limit does not tell which guess was right.
    expect((await attempt(user.password, 6)).status).toBe(429);
    // The clinic's admin sees the attempts (who, when, outcome) in the audit log.
    const admin = await signIn(await createUser({ clinic: user.clinic, role: "admin" }));
    const rows = AuditPage.parse(
      await (await api(`/api/admin/audit?user=${user.id}`, { token: admin.accessToken })).json(),
    ).rows;
    expect(rows.map((r) => r.outcome).sort()).toEqual([
      "rate_limited",
      "rate_limited",
      ...Array<string>(5).fill("refused"),
    ]);
  });

  it("one address trying many accounts is stopped after 20 failures", async () => {
    const headers = { "cf-connecting-ip": "203.0.113.200" };
    for (let i = 0; i < 20; i++) {
      const res = await api("/api/auth/login", {
        method: "POST",
        headers,
        body: { email: `nobody-${i}@example.test`, password: "guess-guess" },
      });
      expect(res.status).toBe(401);
    }
    const user = await createUser();
    const limited = await api("/api/auth/login", {
      method: "POST",
      headers,
      body: { email: user.email, password: user.password },
    });
    expect(limited.status).toBe(429);
    expect((await errorOf(limited)).message).toMatch(
      /^Too many attempts\. Try again in 1 minute\.$/,
    );
  });

  it("successful sign-ins do not count against a person", async () => {
    const user = await createUser();
    for (let i = 0; i < 8; i++) {
      const res = await api("/api/auth/login", {
        method: "POST",
        headers: { "cf-connecting-ip": "203.0.113.201" },
        body: { email: user.email, password: user.password },
      });
      expect(res.status).toBe(200);
    }
  });

  it("creating upload sessions too fast is refused with Retry-After", async () => {
    const user = await createUser();
    const s = await signIn(user);
    const limiter = env.RATE_LIMITER.get(
      env.RATE_LIMITER.idFromName(`sessionCreation:${await sha256Hex(user.id)}`),
    );
    // Spend the whole bucket as 60 creations in a row would.
    expect(
      (await limiter.take(RULES.sessionCreation, RULES.sessionCreation.capacity)).allowed,
    ).toBe(true);
    const res = await api("/api/uploads", {
      method: "POST",
      token: s.accessToken,
      body: { files: [{ name: "a", size: 1, sha256: "0".repeat(64) }] },
    });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("2");
    expect((await errorOf(res)).message).toBe("Too many attempts. Try again in 1 minute.");
  });
});

describe("no patient data in logs", () => {
  const captured: string[] = [];
  afterEach(() => vi.restoreAllMocks());

  function capture() {
    for (const level of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        captured.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
      });
    }
  }

  it("a corpus study's patient names and ids appear nowhere in the worker's logs", async () => {
    const paths = ["01.dcm", "02.dcm", "03.dcm"].map((f) => `study/dcmqi_ct_3slice_seg/${f}`);
    const files: LocalFile[] = paths.map((p) => ({ name: p, bytes: fixture(`dicom/${p}`) }));
    // Names from the MANIFEST rows of these files; ids from the files' own headers.
    const manifest = new TextDecoder().decode(fixture("dicom/MANIFEST.tsv")).split("\n");
    const columns = manifest[0]!.split("\t");
    const nameAt = columns.indexOf("patient_name_utf8");
    const sopAt = columns.indexOf("sop_instance_uid");
    const rows = manifest.filter((l) => paths.some((p) => l.startsWith(`files/${p}\t`)));
    expect(rows).toHaveLength(3);
    const names = new Set(rows.map((r) => r.split("\t")[nameAt] ?? "").filter((n) => n));
    const ids = new Set<string>();
    for (const f of files) {
      const header = await readDicomHeader(async (s, e) => f.bytes.slice(s, e), f.bytes.length);
      if (!header.ok) throw new Error(header.message);
      if (header.header.patientId) ids.add(header.header.patientId);
      if (header.header.patientName) names.add(header.header.patientName);
    }
    expect([...names]).toEqual(["JANCT000"]);
    expect([...ids]).toEqual(["99000"]);
    const sops = rows.map((r) => r.split("\t")[sopAt] ?? "");
    for (const sop of sops) await deleteFromOrthanc(sop);

    capture();
    const user = await createUser();
    const s = await signIn(user);
    const note = "Patient JANCT000 (id 99000) fell on 12 March";
    const up = await initUpload(s.accessToken, files, { clinicalImpression: note });
    await sendAll(up, files, 256 * 1024);
    expect((await complete(up)).status).toBe(200);
    const done = await waitForState(up, ["delivered", "partially_delivered", "failed"], 60_000);
    expect(done.state).toBe("delivered");
    vi.restoreAllMocks();

    const logs = captured.join("\n");
    // The logs are really captured: the whole path spoke, with opaque ids.
    for (const event of ["login", "session_created", "session_completed", "forward_finished"]) {
      expect(logs).toContain(`"event":"${event}"`);
    }
    expect(logs).toContain(up.sessionId);
    for (const name of names) {
      expect(logs).not.toContain(name);
      for (const part of name.split(/[\^=]/).filter((p) => p.length >= 3)) {
        expect(logs.toLowerCase()).not.toContain(part.toLowerCase());
      }
    }
    for (const id of ids)
      expect(logs).not.toMatch(new RegExp(`(?<![0-9A-Za-z])${id}(?![0-9A-Za-z])`));
    expect(logs).not.toContain("fell on 12 March");
    for (const p of paths) expect(logs).not.toContain(p);
    // Nor in the audit log an admin reads.
    const admin = await signIn(await createUser({ clinic: user.clinic, role: "admin" }));
    const audit = await (
      await api("/api/admin/audit?format=csv", { token: admin.accessToken })
    ).text();
    expect(audit).toContain(up.sessionId);
    for (const term of [...names, ...ids, "fell on 12 March"]) expect(audit).not.toContain(term);
  });
});
