// Typed client for the RelayPACS API. Every answer is parsed with the contract's schemas; a failing
// answer becomes an ApiError carrying the server's code and its plain-language message.
import type { z } from "zod";
import {
  CHUNK_SHA256_HEADER,
  ChunkAck,
  ErrorBody,
  InitUploadResponse,
  JobReportAck,
  LoginResponse,
  SessionStatus,
  TokenResponse,
  type InitUploadRequest,
  type JobReport,
  type LoginRequest,
} from "./contract";
import type { Transport, TransportInit } from "./ports";

/** A failed API call. `message` is written for the person using the app: show it as is. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** HTTP status, or 0 when the server could not be reached. */
    readonly status: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ApiError";
  }
}

export const NETWORK_ERROR_MESSAGE =
  "Could not reach the server. Check the internet connection and try again.";
const UNREADABLE_ANSWER_MESSAGE =
  "The server gave an answer this app could not read. Please try again in a few minutes.";

export interface Api {
  login(body: LoginRequest): Promise<LoginResponse>;
  initUpload(accessToken: string, body: InitUploadRequest): Promise<InitUploadResponse>;
  putChunk(
    chunk: ChunkUpload,
    signal?: AbortSignal,
    onUploadProgress?: (bytesSent: number) => void,
  ): Promise<ChunkAck>;
  /** A fresh upload token for a session this user owns (the old one runs out after an hour). */
  refreshUploadToken(accessToken: string, sessionId: string): Promise<TokenResponse>;
  complete(uploadToken: string, sessionId: string, signal?: AbortSignal): Promise<SessionStatus>;
  getStatus(uploadToken: string, sessionId: string, signal?: AbortSignal): Promise<SessionStatus>;
  /** Tells the server how a queued job settled (no patient data; for the admin's metrics). */
  reportJob(accessToken: string, report: JobReport): Promise<JobReportAck>;
}

export interface ChunkUpload {
  uploadToken: string;
  sessionId: string;
  fileIndex: number;
  offset: number;
  bytes: Uint8Array<ArrayBuffer>;
  /** Lowercase hex SHA-256 of `bytes`. */
  sha256: string;
}

export function createApi(transport: Transport, baseUrl = ""): Api {
  async function call<T extends z.ZodType>(
    schema: T,
    path: string,
    init: TransportInit,
  ): Promise<z.infer<T>> {
    let response: Response;
    try {
      response = await transport(baseUrl + path, init);
    } catch (cause) {
      if (init.signal?.aborted) throw cause;
      throw new ApiError("network", NETWORK_ERROR_MESSAGE, 0, { cause });
    }
    const body = await readJson(response);
    if (!response.ok) {
      const parsed = ErrorBody.safeParse(body);
      if (parsed.success) {
        throw new ApiError(parsed.data.error.code, parsed.data.error.message, response.status);
      }
      throw new ApiError(
        `http_${response.status}`,
        unexplainedFailure(response.status),
        response.status,
      );
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new ApiError("bad_response", UNREADABLE_ANSWER_MESSAGE, response.status, {
        cause: parsed.error,
      });
    }
    return parsed.data;
  }

  const json = (token: string | null, body: unknown): RequestInit => ({
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const session = (id: string) => `/api/uploads/${encodeURIComponent(id)}`;

  return {
    login: (body) => call(LoginResponse, "/api/auth/login", json(null, body)),
    initUpload: (accessToken, body) =>
      call(InitUploadResponse, "/api/uploads", json(accessToken, body)),
    putChunk: (chunk, signal, onUploadProgress) =>
      call(ChunkAck, `${session(chunk.sessionId)}/chunks/${chunk.fileIndex}/${chunk.offset}`, {
        method: "PUT",
        headers: {
          ...bearer(chunk.uploadToken),
          "content-type": "application/octet-stream",
          [CHUNK_SHA256_HEADER]: chunk.sha256,
        },
        body: chunk.bytes,
        signal,
        ...(onUploadProgress ? { onUploadProgress } : {}),
      }),
    refreshUploadToken: (accessToken, sessionId) =>
      call(TokenResponse, `${session(sessionId)}/token`, {
        method: "POST",
        headers: bearer(accessToken),
      }),
    complete: (uploadToken, sessionId, signal) =>
      call(SessionStatus, `${session(sessionId)}/complete`, {
        method: "POST",
        headers: bearer(uploadToken),
        signal,
      }),
    getStatus: (uploadToken, sessionId, signal) =>
      call(SessionStatus, session(sessionId), {
        method: "GET",
        headers: bearer(uploadToken),
        signal,
      }),
    reportJob: (accessToken, report) =>
      call(JobReportAck, "/api/reports", json(accessToken, report)),
  };
}

/** The body as JSON; undefined when empty or not JSON (an error page, a cut-off answer). */
export async function readJson(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => "");
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function unexplainedFailure(status: number): string {
  if (status === 401) return "Your sign-in has ended. Please sign in again.";
  if (status === 413) return "A piece of the upload was too large for the server.";
  if (status >= 500)
    return `The server had a problem (error ${status}). Please try again in a few minutes.`;
  return `The server refused the request (error ${status}).`;
}
