// Test double: an in-memory RelayPACS API behind the Transport interface. It records every request,
// stores chunks by byte offset (refusing overlaps, as the real ledger does), checks whole-file
// checksums at complete and walks the session through a scripted list of states, one per status
// poll. Faults on demand: failures, hanging requests, an unreachable network, expired tokens and
// expired sessions. Used by unit tests only.
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import {
  CHUNK_SHA256_HEADER,
  InitUploadRequest,
  JobReport,
  type ByteRange,
  type ChunkBounds,
  type InstanceOutcome,
  type SessionState,
  type SessionStatus,
} from "./contract";
import type { Clock, Transport } from "./ports";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** Raw bytes for chunk PUTs, parsed JSON for JSON bodies, undefined otherwise. */
  body: unknown;
}

type Match = (request: RecordedRequest) => boolean;

interface Failure {
  match: Match;
  status: number;
  body?: unknown;
}

interface Session {
  id: string;
  token: string;
  manifest: InitUploadRequest;
  chunks: Map<number, Map<number, Uint8Array>>;
  state: SessionState;
  script: SessionState[];
}

/** The first session's id; later sessions count up from it. */
export const SESSION_ID = "0123456789abcdef0123456789abcdef";

export class FakeServer {
  readonly requests: RecordedRequest[] = [];
  bounds: ChunkBounds = { min: 4, max: 16, preferred: 8 };
  /** States the session takes after a successful complete: the first at complete, then one per poll. */
  afterComplete: SessionState[] = ["verifying", "queued", "forwarding", "delivered"];
  /** At the next complete, forget these bytes of a file, as if its checksum had not matched. */
  damageAtComplete: { fileIndex: number; range: ByteRange } | null = null;
  /** What the PACS said about each file once the session is terminal (default: stored, confirmed). */
  outcomeOf: (fileIndex: number, state: SessionState) => InstanceOutcome = (_i, state) =>
    state === "delivered"
      ? { status: "stored", message: "Stored by the PACS.", confirmed: true }
      : { status: "failed", message: "The PACS refused it." };
  /** When upload tokens it hands out expire (ms since the epoch); far away unless a test says. */
  tokenExpiresAt = 4_102_444_800_000;
  /** While true every request fails as fetch does without a network (a TypeError). */
  offline = false;
  /** Job reports received (POST /api/reports), each once. */
  readonly reports: JobReport[] = [];
  private readonly sessions: Session[] = [];
  private readonly failures: Failure[] = [];
  private readonly hangs: Match[] = [];
  private tokenCount = 0;

  /** The next request that matches fails once with this status and body. */
  failOnce(match: Match, status: number, body?: unknown): void {
    this.failures.push({ match, status, body });
  }

  /** The next request that matches never answers; it ends only when its signal aborts. */
  hangOnce(match: Match): void {
    this.hangs.push(match);
  }

  /** The current upload token stops working (401 token_expired) until the client refreshes it. */
  expireUploadToken(): void {
    const session = this.sessions.at(-1);
    if (session) session.token = "expired";
  }

  /** The latest session expires: its chunks are gone and it takes no more. */
  expireSession(): void {
    const session = this.sessions.at(-1);
    if (!session) return;
    session.state = "expired";
    session.chunks.clear();
  }

  get sessionCount(): number {
    return this.sessions.length;
  }

  chunkRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.method === "PUT");
  }

  readonly transport: Transport = async (url, init) => {
    init.signal?.throwIfAborted();
    if (this.offline) throw new TypeError("Failed to fetch");
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const raw = init.body;
    const body =
      raw instanceof Uint8Array
        ? raw
        : typeof raw === "string"
          ? (JSON.parse(raw) as unknown)
          : undefined;
    const request: RecordedRequest = { method: init.method ?? "GET", path: url, headers, body };
    this.requests.push(request);
    if (raw instanceof Uint8Array) init.onUploadProgress?.(raw.length);
    const hang = this.hangs.findIndex((match) => match(request));
    if (hang >= 0) {
      this.hangs.splice(hang, 1);
      return new Promise<Response>((_resolve, reject) => {
        const signal = init.signal;
        signal?.addEventListener("abort", () => reject(asError(signal.reason)), { once: true });
      });
    }
    const failure = this.failures.findIndex((f) => f.match(request));
    if (failure >= 0) {
      const [f] = this.failures.splice(failure, 1);
      return json(f?.status ?? 500, f?.body ?? "");
    }
    return this.handle(request);
  };

  private handle(request: RecordedRequest): Response {
    const { method, path } = request;
    if (method === "POST" && path === "/api/reports") {
      const parsed = JobReport.safeParse(request.body);
      if (!parsed.success) return error(400, "bad_request", "The request was not understood.");
      const recorded = !this.reports.some((r) => r.ref === parsed.data.ref);
      if (recorded) this.reports.push(parsed.data);
      return json(200, { ref: parsed.data.ref, recorded });
    }
    if (method === "POST" && path === "/api/uploads") {
      const id = (BigInt(`0x${SESSION_ID}`) + BigInt(this.sessions.length))
        .toString(16)
        .padStart(32, "0");
      const token = this.newToken();
      const manifest = InitUploadRequest.parse(request.body);
      this.sessions.push({
        id,
        token,
        manifest,
        chunks: new Map(),
        state: "receiving",
        script: [],
      });
      return json(201, {
        sessionId: id,
        uploadToken: token,
        tokenExpiresAt: this.tokenExpiresAt,
        chunkSize: this.bounds,
      });
    }
    const match = /^\/api\/uploads\/([0-9a-f]{32})(\/.*)?$/.exec(path);
    const session = this.sessions.find((s) => s.id === match?.[1]);
    if (!session) return error(404, "not_found", "This upload does not exist.");
    const rest = match?.[2] ?? "";
    if (method === "POST" && rest === "/token") {
      session.token = this.newToken();
      return json(200, { uploadToken: session.token, tokenExpiresAt: this.tokenExpiresAt });
    }
    const bearer = request.headers.authorization;
    if (
      bearer !== `Bearer ${session.token}` &&
      !(method === "GET" && bearer === "Bearer access-token")
    ) {
      return error(401, "token_expired", "Your sign-in has expired. Sign in again to continue.");
    }
    const chunk = /^\/chunks\/(\d+)\/(\d+)$/.exec(rest);
    if (method === "PUT" && chunk)
      return this.putChunk(session, request, Number(chunk[1]), Number(chunk[2]));
    if (method === "POST" && rest === "/complete") return this.complete(session);
    if (method === "GET" && rest === "") {
      session.state = session.script.shift() ?? session.state;
      return json(200, this.status(session));
    }
    return error(404, "not_found", "No such address.");
  }

  private putChunk(session: Session, request: RecordedRequest, fileIndex: number, offset: number) {
    if (session.state === "expired") return error(410, "session_expired", "This upload expired.");
    if (session.state !== "receiving") return error(409, "session_not_receiving", "Not receiving.");
    const bytes = request.body as Uint8Array;
    if (bytesToHex(sha256(bytes)) !== request.headers[CHUNK_SHA256_HEADER]) {
      return error(422, "chunk_checksum_mismatch", "A piece arrived damaged.");
    }
    const file = session.chunks.get(fileIndex) ?? new Map<number, Uint8Array>();
    const same = file.get(offset);
    if (same && bytesToHex(sha256(same)) === bytesToHex(sha256(bytes))) {
      return json(200, { file: fileIndex, offset, size: bytes.length, stored: false });
    }
    const end = offset + bytes.length;
    for (const [at, stored] of file) {
      if (at < Math.max(end, offset + 1) && offset < at + Math.max(stored.length, 1)) {
        return error(409, "chunk_conflict", "A different piece is already stored there.");
      }
    }
    file.set(offset, bytes);
    session.chunks.set(fileIndex, file);
    return json(201, { file: fileIndex, offset, size: bytes.length, stored: true });
  }

  private complete(session: Session): Response {
    if (session.state === "expired") return error(410, "session_expired", "This upload expired.");
    if (this.damageAtComplete) {
      const { fileIndex, range } = this.damageAtComplete;
      for (const offset of session.chunks.get(fileIndex)?.keys() ?? []) {
        if (offset >= range[0] && offset < range[1]) session.chunks.get(fileIndex)?.delete(offset);
      }
      this.damageAtComplete = null;
      session.state = "receiving";
      return json(200, this.status(session));
    }
    session.script = [...this.afterComplete];
    session.state = session.script.shift() ?? "delivered";
    return json(200, this.status(session));
  }

  /** The bytes the latest session (or the given one) received for a file, in offset order. */
  received(fileIndex: number, sessionIndex = this.sessions.length - 1): Uint8Array {
    const chunks =
      this.sessions[sessionIndex]?.chunks.get(fileIndex) ?? new Map<number, Uint8Array>();
    const parts = [...chunks.entries()].sort((a, b) => a[0] - b[0]);
    const out = new Uint8Array(parts.reduce((n, [, p]) => n + p.length, 0));
    let at = 0;
    for (const [, part] of parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  private status(session: Session): SessionStatus {
    const terminal = ["delivered", "partially_delivered", "failed"].includes(session.state);
    const files = session.manifest.files.map((f, index) => {
      const ranges: ByteRange[] = [...(session.chunks.get(index) ?? new Map<number, Uint8Array>())]
        .map(([offset, bytes]): ByteRange => [offset, offset + bytes.length])
        .sort((a, b) => a[0] - b[0]);
      const missing: ByteRange[] = [];
      let at = 0;
      for (const [start, end] of ranges) {
        if (start > at) missing.push([at, start]);
        at = Math.max(at, end);
      }
      if (at < f.size) missing.push([at, f.size]);
      const outcome = terminal ? this.outcomeOf(index, session.state) : undefined;
      return {
        index,
        name: f.name,
        size: f.size,
        received: ranges,
        missing,
        ...(outcome ? { outcome } : {}),
      };
    });
    const outcomes = files.map((f) => f.outcome?.status);
    return {
      sessionId: session.id,
      state: session.state,
      message: `The upload is ${session.state}.`,
      createdAt: 0,
      updatedAt: 0,
      chunkSize: this.bounds,
      files,
      counts: {
        files: files.length,
        accepted: files.length,
        stored: outcomes.filter((s) => s === "stored" || s === "warning").length,
        failed: outcomes.filter((s) => s === "failed").length,
      },
    };
  }

  private newToken(): string {
    return this.tokenCount++ === 0 ? "upload-token" : `upload-token-${this.tokenCount}`;
  }
}

function json(status: number, body: unknown): Response {
  return new Response(body === "" ? "" : JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

function error(status: number, code: string, message: string): Response {
  return json(status, { error: { code, message } });
}

function asError(reason: unknown): Error {
  return reason instanceof Error
    ? reason
    : new DOMException("The operation was aborted.", "AbortError");
}

/** A clock that never waits; it records every requested sleep. */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  private time = 0;
  now(): number {
    return this.time;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.sleeps.push(ms);
    this.time += ms;
    return Promise.resolve();
  }
}
