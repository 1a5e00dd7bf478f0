// /api/uploads: init a session, PUT chunks by byte offset, complete, status, refresh the token.
// The Durable Object decides; this module authenticates, moves bytes into R2 and maps results.
import { Hono, type Context } from "hono";
import type { AppEnv } from "../app-env";
import { auditSessionCompleted, auditSessionCreated } from "../audit/sessions";
import {
  authenticateAccess,
  authenticateUpload,
  bearer,
  requireAccess,
  requireUploadToken,
} from "../auth/middleware";
import { signUploadToken } from "../auth/tokens";
import { limitsFrom } from "../config";
import {
  CHUNK_SHA256_HEADER,
  InitUploadRequest,
  Sha256Hex,
  type InitUploadResponse,
  type TokenResponse,
} from "../contract";
import { AppError, NO_SUCH_UPLOAD, unwrap } from "../errors";
import { destinationFor } from "../forward/destination";
import { randomHex } from "../hex";
import { log } from "../log";
import { chunkKey } from "../storage/chunks";
import { intParam, jsonBody } from "../validate";

const MiB = 1024 * 1024;

function sessionStub(env: Env, id: string) {
  return env.UPLOAD_SESSION.get(env.UPLOAD_SESSION.idFromName(id));
}

function sessionIdParam(c: Context<AppEnv>): string {
  const id = c.req.param("id");
  if (!id || !/^[0-9a-f]{32}$/.test(id)) throw new AppError("not_found", NO_SUCH_UPLOAD);
  return id;
}

async function ownedSession(env: Env, id: string, userId: string): Promise<boolean> {
  const row = await env.DB.prepare("SELECT user_id FROM upload_sessions WHERE id = ?")
    .bind(id)
    .first();
  return row?.user_id === userId;
}

export const uploads = new Hono<AppEnv>()
  .post("/", requireAccess, async (c) => {
    const body = await jsonBody(c, InitUploadRequest);
    const limits = limitsFrom(c.env);
    const total = body.files.reduce((sum, f) => sum + f.size, 0);
    if (body.files.length > limits.maxFilesPerSession) {
      throw new AppError(
        "limit_exceeded",
        `One upload can hold at most ${limits.maxFilesPerSession} files. Split the study into several uploads.`,
      );
    }
    if (body.files.some((f) => f.size > limits.maxFileSize)) {
      throw new AppError(
        "limit_exceeded",
        `A file is larger than the ${Math.round(limits.maxFileSize / MiB)} MB this server accepts. Leave it out, or ask your administrator to raise the limit.`,
      );
    }
    if (total > limits.maxSessionBytes) {
      throw new AppError(
        "limit_exceeded",
        `This upload is larger than the ${Math.round(limits.maxSessionBytes / MiB)} MB this server accepts at once. Split it.`,
      );
    }
    const principal = c.get("principal");
    // The clinic's PACS decides which kinds of objects it takes (verdicts at complete).
    const destination = await destinationFor(c.env, principal.clinic);
    const sessionId = randomHex(16);
    const preferred = Math.min(
      limits.maxChunkSize,
      Math.max(limits.minChunkSize, body.preferredChunkSize ?? limits.preferredChunkSize),
    );
    const chunkSize = { min: limits.minChunkSize, max: limits.maxChunkSize, preferred };
    await c.env.DB.prepare(
      "INSERT INTO upload_sessions (id, clinic_id, user_id, created_at) VALUES (?, ?, ?, ?)",
    )
      .bind(sessionId, principal.clinic, principal.sub, Date.now())
      .run();
    unwrap(
      await sessionStub(c.env, sessionId).init({
        sessionId,
        ownerId: principal.sub,
        clinicId: principal.clinic,
        files: body.files,
        clinicalImpression: body.clinicalImpression,
        chunkSize,
        ttlMs: limits.sessionTtlMs,
        sopClassAllowList: destination.config.sopClassAllowList,
      }),
    );
    const { token, expiresAt } = await signUploadToken(c.env.JWT_SECRET, principal, sessionId);
    log("info", "session_created", {
      session: sessionId,
      user: principal.sub,
      files: body.files.length,
      bytes: total,
    });
    await auditSessionCreated(c.env, principal, sessionId, body.files.length, total);
    const response: InitUploadResponse = {
      sessionId,
      uploadToken: token,
      tokenExpiresAt: expiresAt,
      chunkSize,
    };
    return c.json(response, 201);
  })
  .post("/:id/token", requireAccess, async (c) => {
    const id = sessionIdParam(c);
    const principal = c.get("principal");
    if (!(await ownedSession(c.env, id, principal.sub)))
      throw new AppError("not_found", NO_SUCH_UPLOAD);
    const { token, expiresAt } = await signUploadToken(c.env.JWT_SECRET, principal, id);
    const response: TokenResponse = { uploadToken: token, tokenExpiresAt: expiresAt };
    return c.json(response);
  })
  .put("/:id/chunks/:file/:offset", requireUploadToken, async (c) => {
    const id = sessionIdParam(c);
    const file = intParam(c.req.param("file"), "file number");
    const offset = intParam(c.req.param("offset"), "byte offset");
    const sha = Sha256Hex.safeParse(c.req.header(CHUNK_SHA256_HEADER)?.toLowerCase());
    if (!sha.success) {
      throw new AppError(
        "bad_request",
        `Each piece must carry its SHA-256 in the ${CHUNK_SHA256_HEADER} header. Update the app.`,
      );
    }
    const length = Number(c.req.header("content-length"));
    if (!Number.isSafeInteger(length) || length < 0) {
      throw new AppError("bad_request", "Each piece must declare its length. Update the app.");
    }
    const stub = sessionStub(c.env, id);
    const checked = unwrap(await stub.checkChunk(file, offset, length, sha.data));
    if (!checked.ack.stored) return c.json(checked.ack);
    const key = chunkKey(id, file, offset, sha.data);
    try {
      // R2 checks the SHA-256 itself and stores nothing when it differs.
      await c.env.CHUNKS.put(key, c.req.raw.body ?? new Uint8Array(), { sha256: sha.data });
    } catch (cause) {
      log("warn", "chunk_rejected", { session: id, file, offset, reason: "checksum" });
      throw new AppError(
        "chunk_checksum_mismatch",
        "This piece arrived damaged (its checksum does not match). The app sends it again.",
        { cause },
      );
    }
    const committed = await stub.commitChunk(file, offset, length, sha.data, key);
    if (!committed.ok) {
      // Lost a race to a different piece at this place: our bytes are not part of the file.
      await c.env.CHUNKS.delete(key);
    }
    return c.json(unwrap(committed).ack, 201);
  })
  .post("/:id/complete", requireUploadToken, async (c) => {
    const id = sessionIdParam(c);
    const { status } = unwrap(await sessionStub(c.env, id).complete());
    log("info", "session_completed", {
      session: id,
      state: status.state,
      accepted: status.counts.accepted,
      files: status.counts.files,
    });
    await auditSessionCompleted(c.env, c.get("principal"), status);
    return c.json(status);
  })
  .get("/:id", async (c) => {
    // Status answers the session's upload token, or its owner's access token (e.g. after the
    // upload token expired while the study waited for the PACS).
    const id = sessionIdParam(c);
    const token = bearer(c.req.header("authorization"));
    try {
      await authenticateUpload(c.env, token, id);
    } catch {
      const principal = await authenticateAccess(c.env, token);
      if (!(await ownedSession(c.env, id, principal.sub)))
        throw new AppError("not_found", NO_SUCH_UPLOAD);
    }
    const { status } = unwrap(await sessionStub(c.env, id).getStatus());
    return c.json(status);
  });
