// Protocol cases: what a broken or hostile client can send the worker's upload API. Malformed
// JSON and manifests, chunks too big, too small, misplaced or mislabelled, forged tokens (alg none,
// wrong key, other audience, expired, revoked), and other sessions' ids. The message patterns quote
// worker/errors.ts callers (routes, validate.ts, auth, the upload session).
import { SignJWT } from "jose";
import type { ProtocolApi, ProtocolCase, UploadRef } from "./case-types";

const KiB = 1024;
const MiB = 1024 * KiB;

const json = (body: string, token?: string): RequestInit => ({
  method: "POST",
  headers: {
    "content-type": "application/json",
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  },
  body,
});

const manifest = (files: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ files, ...extra });
const oneFile = { name: "a.dcm", size: 1000, sha256: "0".repeat(64) };

function initWith(body: string): ProtocolCase["send"] {
  return (api) => api.fetch("/api/uploads", json(body, api.accessToken));
}

const b64url = (value: unknown) =>
  btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");

/** Claims the worker would accept for an upload token of `session`, but for the signature. */
function uploadClaims(api: ProtocolApi, session: UploadRef, secondsLeft = 3600) {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: "relaypacs",
    aud: `relaypacs:upload:${session.sessionId}`,
    sub: api.claims.sub,
    clinic: api.claims.clinic,
    role: api.claims.role,
    sid: api.claims.sid,
    iat: now,
    exp: now + secondsLeft,
  };
}

async function sign(
  claims: Record<string, unknown>,
  secret: string,
  alg: "HS256" | "HS512" = "HS256",
): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg }).sign(new TextEncoder().encode(secret));
}

/** A chunk PUT to the victim's session with `token`. */
function putWith(token: (api: ProtocolApi) => Promise<string> | string): ProtocolCase["send"] {
  return async (api) =>
    api.put({ ...api.victim, uploadToken: await token(api) }, 2, 0, new Uint8Array(10));
}

function refused(
  id: string,
  what: string,
  status: number,
  code: string,
  message: RegExp,
  send: ProtocolCase["send"],
): ProtocolCase {
  return { id, layer: "protocol", what, send, status, code, message };
}

const NOT_UNDERSTOOD = /The request was not understood .*Update the app and try again\./;
const NOT_JSON = /The request was not valid JSON\. Update the app and try again\./;
const NOT_SIGNED_IN = /You are not signed in.*Sign in/;
const NO_UPLOAD = /This upload does not exist/;

const initCases: ProtocolCase[] = [
  refused(
    "init: JSON cut off",
    "'{\"files\":[' as the body",
    400,
    "bad_request",
    NOT_JSON,
    initWith('{"files":['),
  ),
  refused("init: empty body", "no body at all", 400, "bad_request", NOT_JSON, initWith("")),
  refused(
    "init: JSON null",
    "'null' as the body",
    400,
    "bad_request",
    NOT_UNDERSTOOD,
    initWith("null"),
  ),
  refused(
    "init: JSON array",
    "'[]' as the body",
    400,
    "bad_request",
    NOT_UNDERSTOOD,
    initWith("[]"),
  ),
  refused(
    "init: no files field",
    "'{}' as the body",
    400,
    "bad_request",
    NOT_UNDERSTOOD,
    initWith("{}"),
  ),
  refused(
    "init: files is a string",
    'files: "x"',
    400,
    "bad_request",
    NOT_UNDERSTOOD,
    initWith(manifest("x")),
  ),
  refused(
    "init: no files",
    "an empty file list",
    400,
    "bad_request",
    NOT_UNDERSTOOD,
    initWith(manifest([])),
  ),
  refused(
    "init: negative size",
    "a file of -1 bytes",
    400,
    "bad_request",
    NOT_UNDERSTOOD,
    initWith(manifest([{ ...oneFile, size: -1 }])),
  ),
  refused(
    "init: fractional size",
    "a file of 1.5 bytes",
    400,
    "bad_request",
    NOT_UNDERSTOOD,
    initWith(manifest([{ ...oneFile, size: 1.5 }])),
  ),
  refused(
    "init: checksum not hex",
    "sha256 'zz'",
    400,
    "bad_request",
    NOT_UNDERSTOOD,
    initWith(manifest([{ ...oneFile, sha256: "zz" }])),
  ),
  refused(
    "init: name of 300 chars",
    "a 300-character file name",
    400,
    "bad_request",
    NOT_UNDERSTOOD,
    initWith(manifest([{ ...oneFile, name: "n".repeat(300) }])),
  ),
  refused(
    "init: 10,000-deep JSON",
    "arrays nested 10,000 deep",
    400,
    "bad_request",
    NOT_UNDERSTOOD,
    initWith(`${"[".repeat(10_000)}${"]".repeat(10_000)}`),
  ),
  refused(
    "init: 1 MB impression",
    "a clinical impression of 1 MB",
    400,
    "bad_request",
    NOT_UNDERSTOOD,
    initWith(manifest([oneFile], { clinicalImpression: "x".repeat(MiB) })),
  ),
  refused(
    "init: 5,001 files",
    "one file more than a session holds",
    413,
    "limit_exceeded",
    /at most 5000 files\. Split the study/,
    initWith(manifest(Array.from({ length: 5001 }, (_, i) => ({ ...oneFile, name: `f${i}` })))),
  ),
  refused(
    "init: a 1 TB file",
    "a file declared 1 TB",
    413,
    "limit_exceeded",
    /larger than the .* MB this server accepts/,
    initWith(manifest([{ ...oneFile, size: 1024 ** 4 }])),
  ),
  refused(
    "init: 30 GB in all",
    "eight files of 4 GB",
    413,
    "limit_exceeded",
    /at once\. Split it\./,
    initWith(
      manifest(
        Array.from({ length: 8 }, (_, i) => ({
          ...oneFile,
          name: `f${i}`,
          size: 4 * 1024 ** 3 - 1,
        })),
      ),
    ),
  ),
];

const chunkCases: ProtocolCase[] = [
  refused(
    "chunk: oversized (33 MiB)",
    "a 33 MiB piece (the limit is 32 MiB)",
    400,
    "chunk_size_invalid",
    /larger than the server accepts\. Send smaller pieces\./,
    async (api) => {
      const s = await api.newSession([40 * MiB]);
      return api.put(s, 0, 0, new Uint8Array(33 * MiB));
    },
  ),
  refused(
    "chunk: undersized, not last",
    "a 10 KiB piece at the start of a 1 MiB file",
    400,
    "chunk_size_invalid",
    /smaller than the server accepts.*Update the app/,
    async (api) => api.put(await api.newSession([MiB]), 0, 0, new Uint8Array(10 * KiB)),
  ),
  refused(
    "chunk: past the end",
    "a piece beyond the file's declared size",
    416,
    "chunk_out_of_range",
    /outside the file's declared size.*Update the app/,
    async (api) =>
      api.put(await api.newSession([300 * KiB]), 0, 290 * KiB, new Uint8Array(20 * KiB)),
  ),
  refused(
    "chunk: no such file",
    "a piece of file 7 in a one-file upload",
    416,
    "chunk_out_of_range",
    /no file with that number.*Update the app/,
    async (api) => api.put(await api.newSession([100]), 7, 0, new Uint8Array(100)),
  ),
  refused(
    "chunk: offset not a number",
    "offset 'abc' in the address",
    400,
    "bad_request",
    /byte offset in the address is not a valid number.*Update the app/,
    async (api) => {
      const s = await api.newSession([100]);
      return api.fetch(`/api/uploads/${s.sessionId}/chunks/0/abc`, {
        method: "PUT",
        headers: { authorization: `Bearer ${s.uploadToken}`, "x-chunk-sha256": "0".repeat(64) },
        body: new Uint8Array(100),
      });
    },
  ),
  refused(
    "chunk: file number negative",
    "file -1 in the address",
    400,
    "bad_request",
    /file number in the address is not a valid number.*Update the app/,
    async (api) => {
      const s = await api.newSession([100]);
      return api.fetch(`/api/uploads/${s.sessionId}/chunks/-1/0`, {
        method: "PUT",
        headers: { authorization: `Bearer ${s.uploadToken}`, "x-chunk-sha256": "0".repeat(64) },
        body: new Uint8Array(100),
      });
    },
  ),
  refused(
    "chunk: offset of 20 digits",
    "offset 99999999999999999999",
    400,
    "bad_request",
    /byte offset in the address is not a valid number/,
    async (api) => {
      const s = await api.newSession([100]);
      return api.fetch(`/api/uploads/${s.sessionId}/chunks/0/99999999999999999999`, {
        method: "PUT",
        headers: { authorization: `Bearer ${s.uploadToken}`, "x-chunk-sha256": "0".repeat(64) },
        body: new Uint8Array(100),
      });
    },
  ),
  refused(
    "chunk: no checksum header",
    "a piece without x-chunk-sha256",
    400,
    "bad_request",
    /must carry its SHA-256.*Update the app/,
    async (api) => {
      const s = await api.newSession([100]);
      return api.fetch(`/api/uploads/${s.sessionId}/chunks/0/0`, {
        method: "PUT",
        headers: { authorization: `Bearer ${s.uploadToken}` },
        body: new Uint8Array(100),
      });
    },
  ),
  refused(
    "chunk: bytes differ from checksum",
    "a piece whose checksum is of other bytes",
    422,
    "chunk_checksum_mismatch",
    /arrived damaged.*The app sends it again/,
    async (api) => api.put(await api.newSession([100]), 0, 0, new Uint8Array(100), "ab".repeat(32)),
  ),
  refused(
    "chunk: no declared length",
    "a streamed piece without Content-Length",
    400,
    "bad_request",
    /must declare its length\. Update the app/,
    async (api) => {
      const s = await api.newSession([100]);
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new Uint8Array(100));
          controller.close();
        },
      });
      return api.fetch(`/api/uploads/${s.sessionId}/chunks/0/0`, {
        method: "PUT",
        headers: { authorization: `Bearer ${s.uploadToken}`, "x-chunk-sha256": "0".repeat(64) },
        body,
      });
    },
  ),
  refused(
    "chunk: other bytes, same place",
    "a different piece where one was stored",
    409,
    "chunk_conflict",
    /different piece was already received.*choose it again/,
    async (api) => {
      const s = await api.newSession([100]);
      await api.put(s, 0, 0, s.bytes[0]!);
      return api.put(s, 0, 0, new Uint8Array(100).fill(9));
    },
  ),
  refused(
    "chunk: overlapping",
    "a piece overlapping a stored one",
    409,
    "chunk_conflict",
    /overlaps a piece already received.*send only those/,
    async (api) => {
      const s = await api.newSession([800 * KiB]);
      await api.put(s, 0, 0, s.bytes[0]!.slice(0, 512 * KiB));
      return api.put(s, 0, 256 * KiB, s.bytes[0]!.slice(256 * KiB, 768 * KiB));
    },
  ),
  refused(
    "chunk: after complete",
    "a piece sent after the upload was completed",
    409,
    "session_not_receiving",
    /no longer taking files.*Start a new upload/,
    async (api) => {
      const s = await api.newSession([100]);
      await api.put(s, 0, 0, s.bytes[0]!);
      await api.complete(s);
      return api.put(s, 0, 0, s.bytes[0]!);
    },
  ),
  refused(
    "complete: bytes missing",
    "complete before every byte arrived",
    409,
    "session_incomplete",
    /have not arrived yet\. The app sends them, then tries again\./,
    async (api) => api.complete(await api.newSession([300 * KiB])),
  ),
];

const tokenCases: ProtocolCase[] = [
  refused("token: none", "no Authorization header", 401, "unauthorized", NOT_SIGNED_IN, (api) =>
    api.fetch("/api/uploads", json(manifest([oneFile]))),
  ),
  refused(
    "token: Basic scheme",
    "'Basic' credentials instead of a bearer token",
    401,
    "unauthorized",
    NOT_SIGNED_IN,
    (api) =>
      api.fetch("/api/uploads", {
        ...json(manifest([oneFile])),
        headers: { authorization: "Basic dXNlcjpwYXNz" },
      }),
  ),
  refused(
    "token: garbage",
    "'not-a-token'",
    401,
    "unauthorized",
    NOT_SIGNED_IN,
    putWith(() => "not-a-token"),
  ),
  refused(
    "token: alg none",
    "an unsigned token (alg: none) with good claims",
    401,
    "unauthorized",
    NOT_SIGNED_IN,
    putWith(
      (api) => `${b64url({ alg: "none", typ: "JWT" })}.${b64url(uploadClaims(api, api.victim))}.`,
    ),
  ),
  refused(
    "token: wrong key",
    "good claims signed with another key",
    401,
    "unauthorized",
    NOT_SIGNED_IN,
    putWith((api) =>
      sign(uploadClaims(api, api.victim), "another-secret-0123456789abcdef0123456789abcdef"),
    ),
  ),
  refused(
    "token: HS512",
    "good claims signed with the right key but HS512",
    401,
    "unauthorized",
    NOT_SIGNED_IN,
    putWith((api) => sign(uploadClaims(api, api.victim), api.secret, "HS512")),
  ),
  refused(
    "token: signature cut",
    "a real upload token with its signature replaced",
    401,
    "unauthorized",
    NOT_SIGNED_IN,
    putWith(
      (api) => `${api.victim.uploadToken.split(".").slice(0, 2).join(".")}.${"A".repeat(43)}`,
    ),
  ),
  refused(
    "token: access token as upload token",
    "the API audience on an upload route",
    401,
    "unauthorized",
    NOT_SIGNED_IN,
    putWith((api) => api.accessToken),
  ),
  refused(
    "token: upload token as access token",
    "an upload audience at init",
    401,
    "unauthorized",
    NOT_SIGNED_IN,
    (api) => api.fetch("/api/uploads", json(manifest([oneFile]), api.victim.uploadToken)),
  ),
  refused(
    "token: another session's audience",
    "the owner's token for another of their uploads",
    401,
    "unauthorized",
    NOT_SIGNED_IN,
    putWith(async (api) => (await api.newSession([10])).uploadToken),
  ),
  refused(
    "token: expired",
    "a well-signed upload token that expired an hour ago",
    401,
    "token_expired",
    /expired\. Sign in again/,
    putWith((api) => sign(uploadClaims(api, api.victim, -3600), api.secret)),
  ),
  refused(
    "token: no sign-in id",
    "a well-signed token without sid",
    401,
    "unauthorized",
    NOT_SIGNED_IN,
    putWith((api) => {
      const { sid: _sid, ...claims } = uploadClaims(api, api.victim);
      return sign(claims, api.secret);
    }),
  ),
  refused(
    "token: signed out",
    "an access token whose sign-in was signed out",
    401,
    "session_revoked",
    /signed out\. Sign in again/,
    async (api) => {
      const token = await api.freshAccessToken();
      await api.fetch("/api/auth/logout", {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
      });
      return api.fetch("/api/uploads", json(manifest([oneFile]), token));
    },
  ),
];

const victimPath = (api: ProtocolApi, rest = "") => `/api/uploads/${api.victim.sessionId}${rest}`;
const as = (token: string, method = "GET"): RequestInit => ({
  method,
  headers: { authorization: `Bearer ${token}` },
});

const sessionIdCases: ProtocolCase[] = [
  refused(
    "ids: put into another's upload",
    "the stranger's own upload token, the victim's session id",
    401,
    "unauthorized",
    NOT_SIGNED_IN,
    (api) =>
      api.put(
        { ...api.victim, uploadToken: api.strangerSession.uploadToken },
        0,
        0,
        new Uint8Array(10),
      ),
  ),
  refused(
    "ids: complete another's upload",
    "complete the victim's session with the stranger's token",
    401,
    "unauthorized",
    NOT_SIGNED_IN,
    (api) => api.complete({ ...api.victim, uploadToken: api.strangerSession.uploadToken }),
  ),
  refused(
    "ids: read another's status",
    "the victim's status with the stranger's access token",
    404,
    "not_found",
    NO_UPLOAD,
    (api) => api.fetch(victimPath(api), as(api.strangerAccessToken)),
  ),
  refused(
    "ids: refresh another's token",
    "a new upload token for the victim's session, as the stranger",
    404,
    "not_found",
    NO_UPLOAD,
    (api) => api.fetch(victimPath(api, "/token"), as(api.strangerAccessToken, "POST")),
  ),
  refused(
    "ids: traversal in the address",
    "session id '..%2F..%2Fetc%2Fpasswd'",
    404,
    "not_found",
    NO_UPLOAD,
    (api) => api.fetch("/api/uploads/..%2F..%2Fetc%2Fpasswd", as(api.accessToken)),
  ),
  refused(
    "ids: unknown session",
    "a well-formed id no session has",
    404,
    "not_found",
    NO_UPLOAD,
    (api) => api.fetch(`/api/uploads/${"0".repeat(32)}`, as(api.accessToken)),
  ),
  refused(
    "ids: unknown session's token",
    "a new upload token for a session that never existed",
    404,
    "not_found",
    NO_UPLOAD,
    (api) => api.fetch(`/api/uploads/${"f".repeat(32)}/token`, as(api.accessToken, "POST")),
  ),
];

export const PROTOCOL_CASES: ProtocolCase[] = [
  ...initCases,
  ...chunkCases,
  ...tokenCases,
  ...sessionIdCases,
];
