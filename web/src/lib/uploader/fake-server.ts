// Test double: an in-memory RelayPACS API behind the Transport interface. It records every request,
// stores chunks by byte offset, checks whole-file checksums at complete and walks the session
// through a scripted list of states, one per status poll. Used by unit tests only.
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import {
  CHUNK_SHA256_HEADER,
  InitUploadRequest,
  type ByteRange,
  type ChunkBounds,
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

interface Failure {
  match: (request: RecordedRequest) => boolean;
  status: number;
  body?: unknown;
}

export const SESSION_ID = "0123456789abcdef0123456789abcdef";

export class FakeServer {
  readonly requests: RecordedRequest[] = [];
  bounds: ChunkBounds = { min: 4, max: 16, preferred: 8 };
  /** States the session takes after a successful complete: the first at complete, then one per poll. */
  afterComplete: SessionState[] = ["verifying", "queued", "forwarding", "delivered"];
  /** At the next complete, forget these bytes of a file, as if its checksum had not matched. */
  damageAtComplete: { fileIndex: number; range: ByteRange } | null = null;
  private manifest: InitUploadRequest | null = null;
  private readonly chunks = new Map<number, Map<number, Uint8Array>>();
  private readonly failures: Failure[] = [];
  private script: SessionState[] = [];
  private state: SessionState = "receiving";

  /** The next request that matches fails once with this status and body. */
  failOnce(match: Failure["match"], status: number, body?: unknown): void {
    this.failures.push({ match, status, body });
  }

  chunkRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.method === "PUT");
  }

  readonly transport: Transport = async (url, init) => {
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
    const failure = this.failures.findIndex((f) => f.match(request));
    if (failure >= 0) {
      const [f] = this.failures.splice(failure, 1);
      return json(f?.status ?? 500, f?.body ?? "");
    }
    return this.handle(request);
  };

  private handle(request: RecordedRequest): Response {
    const { method, path } = request;
    if (method === "POST" && path === "/api/uploads") {
      this.manifest = InitUploadRequest.parse(request.body);
      return json(201, {
        sessionId: SESSION_ID,
        uploadToken: "upload-token",
        tokenExpiresAt: 0,
        chunkSize: this.bounds,
      });
    }
    const chunk = path.match(/^\/api\/uploads\/([0-9a-f]{32})\/chunks\/(\d+)\/(\d+)$/);
    if (method === "PUT" && chunk) {
      const [fileIndex, offset] = [Number(chunk[2]), Number(chunk[3])];
      const bytes = request.body as Uint8Array;
      if (bytesToHex(sha256(bytes)) !== request.headers[CHUNK_SHA256_HEADER]) {
        return json(400, {
          error: { code: "chunk_checksum_mismatch", message: "A piece arrived damaged." },
        });
      }
      const file = this.chunks.get(fileIndex) ?? new Map<number, Uint8Array>();
      const stored = !file.has(offset);
      file.set(offset, bytes);
      this.chunks.set(fileIndex, file);
      return json(200, { file: fileIndex, offset, size: bytes.length, stored });
    }
    if (method === "POST" && path.endsWith("/complete")) {
      if (this.damageAtComplete) {
        const { fileIndex, range } = this.damageAtComplete;
        for (const offset of this.chunks.get(fileIndex)?.keys() ?? []) {
          if (offset >= range[0] && offset < range[1]) this.chunks.get(fileIndex)?.delete(offset);
        }
        this.damageAtComplete = null;
        this.state = "receiving";
        return json(200, this.status());
      }
      this.script = [...this.afterComplete];
      this.state = this.script.shift() ?? "delivered";
      return json(200, this.status());
    }
    if (method === "GET" && path === `/api/uploads/${SESSION_ID}`) {
      this.state = this.script.shift() ?? this.state;
      return json(200, this.status());
    }
    return json(404, { error: { code: "not_found", message: "No such address." } });
  }

  /** The bytes received for a file, in offset order. */
  received(fileIndex: number): Uint8Array {
    const parts = [...(this.chunks.get(fileIndex) ?? new Map<number, Uint8Array>()).entries()].sort(
      (a, b) => a[0] - b[0],
    );
    const out = new Uint8Array(parts.reduce((n, [, p]) => n + p.length, 0));
    let at = 0;
    for (const [, part] of parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  private status(): SessionStatus {
    const files = (this.manifest?.files ?? []).map((f, index) => {
      const ranges: ByteRange[] = [...(this.chunks.get(index) ?? new Map<number, Uint8Array>())]
        .map(([offset, bytes]): ByteRange => [offset, offset + bytes.length])
        .sort((a, b) => a[0] - b[0]);
      const missing: ByteRange[] = [];
      let at = 0;
      for (const [start, end] of ranges) {
        if (start > at) missing.push([at, start]);
        at = Math.max(at, end);
      }
      if (at < f.size) missing.push([at, f.size]);
      const delivered = this.state === "delivered";
      return {
        index,
        name: f.name,
        size: f.size,
        received: ranges,
        missing,
        ...(delivered
          ? { outcome: { status: "stored" as const, message: "Stored by the PACS." } }
          : {}),
      };
    });
    const stored = this.state === "delivered" ? files.length : 0;
    return {
      sessionId: SESSION_ID,
      state: this.state,
      message: `The upload is ${this.state}.`,
      createdAt: 0,
      updatedAt: 0,
      chunkSize: this.bounds,
      files,
      counts: { files: files.length, accepted: files.length, stored, failed: 0 },
    };
  }
}

function json(status: number, body: unknown): Response {
  return new Response(body === "" ? "" : JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
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
