// One study upload from start to PACS answer: hash the files, open a session, send the missing
// chunks one after another by byte offset, complete, then poll the status until it settles.
// Framework-free: the page drives it through UploadController; tests drive it with a fake server.
import type { Api } from "./api";
import { chooseChunkSize, planFile, planRanges, type Chunk } from "./chunk-plan";
import type { FileStatus, ManifestFile, SessionState, SessionStatus } from "./contract";
import { sha256OfBlob, sha256OfBytes } from "./hash";
import type { Clock, SourceFile } from "./ports";
import { withRetry } from "./retry-policy";

export type UploadPhase =
  "hashing" | "starting" | "uploading" | "checking" | "sending" | "finished";

export interface UploadProgress {
  phase: UploadPhase;
  bytesTotal: number;
  bytesHashed: number;
  bytesSent: number;
  filesTotal: number;
  /** Files whose every byte the server has acknowledged. */
  filesDone: number;
  sessionId?: string;
  /** The latest status from the server, once the upload is complete. */
  status?: SessionStatus;
}

export interface UploadRequest {
  files: readonly SourceFile[];
  clinicalImpression?: string;
  accessToken: string;
}

export interface UploadDeps {
  api: Api;
  clock: Clock;
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
  poll?: PollPolicy;
}

export interface PollPolicy {
  firstDelayMs: number;
  maxDelayMs: number;
  /** How many times the server may send the session back for missing bytes before we give up. */
  maxResendRounds: number;
}

export const DEFAULT_POLL: PollPolicy = {
  firstDelayMs: 1_000,
  maxDelayMs: 10_000,
  maxResendRounds: 3,
};

/** A failure of the upload itself (not of one API call); `message` is for the user. */
export class UploadFailed extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "UploadFailed";
  }
}

const TERMINAL: ReadonlySet<SessionState> = new Set([
  "delivered",
  "partially_delivered",
  "failed",
  "expired",
]);

export function isTerminal(state: SessionState): boolean {
  return TERMINAL.has(state);
}

/** Uploads the files as one study; resolves with the final SessionStatus (which may be a failure). */
export async function uploadStudy(
  request: UploadRequest,
  deps: UploadDeps,
): Promise<SessionStatus> {
  const { api, clock, signal } = deps;
  const poll = deps.poll ?? DEFAULT_POLL;
  const files = request.files;
  const bytesTotal = files.reduce((sum, file) => sum + file.size, 0);
  const progress: UploadProgress = {
    phase: "hashing",
    bytesTotal,
    bytesHashed: 0,
    bytesSent: 0,
    filesTotal: files.length,
    filesDone: 0,
  };
  const report = (patch: Partial<UploadProgress>) => {
    Object.assign(progress, patch);
    deps.onProgress?.({ ...progress });
  };

  report({});
  const manifest: ManifestFile[] = [];
  for (const file of files) {
    const before = progress.bytesHashed;
    const sha256 = await sha256OfBlob(file, {
      signal,
      onProgress: (hashed) => report({ bytesHashed: before + hashed }),
    });
    manifest.push({ name: manifestName(file.name), size: file.size, sha256 });
    report({ bytesHashed: before + file.size });
  }

  report({ phase: "starting" });
  const impression = request.clinicalImpression?.trim();
  const init = await withRetry(
    () =>
      api.initUpload(request.accessToken, {
        files: manifest,
        ...(impression ? { clinicalImpression: impression } : {}),
      }),
    clock,
    signal,
  );
  const { sessionId, uploadToken } = init;
  const chunkSize = chooseChunkSize(init.chunkSize);

  const send = async (chunks: readonly Chunk[]) => {
    const pending = new Map<number, number>();
    for (const chunk of chunks) {
      pending.set(chunk.fileIndex, (pending.get(chunk.fileIndex) ?? 0) + 1);
    }
    report({ phase: "uploading", filesDone: files.length - pending.size });
    for (const chunk of chunks) {
      signal?.throwIfAborted();
      const file = files[chunk.fileIndex];
      if (!file) throw new RangeError(`no file at index ${chunk.fileIndex}`);
      const bytes = new Uint8Array(await file.slice(chunk.offset, chunk.end).arrayBuffer());
      const sha256 = sha256OfBytes(bytes);
      await withRetry(
        () =>
          api.putChunk(
            {
              uploadToken,
              sessionId,
              fileIndex: chunk.fileIndex,
              offset: chunk.offset,
              bytes,
              sha256,
            },
            signal,
          ),
        clock,
        signal,
      );
      const left = (pending.get(chunk.fileIndex) ?? 1) - 1;
      if (left === 0) pending.delete(chunk.fileIndex);
      else pending.set(chunk.fileIndex, left);
      report({
        bytesSent: progress.bytesSent + bytes.length,
        filesDone: files.length - pending.size,
      });
    }
  };
  const complete = () =>
    withRetry(() => api.complete(uploadToken, sessionId, signal), clock, signal);

  report({ sessionId });
  await send(files.flatMap((file, index) => planFile(index, file.size, chunkSize)));
  let status = await complete();
  let resendRounds = 0;
  let delay = poll.firstDelayMs;
  for (;;) {
    report({ phase: phaseOf(status.state), status });
    if (isTerminal(status.state)) return status;
    if (status.state === "receiving") {
      // The server checked the files and wants some bytes again (a whole-file checksum mismatch).
      if (resendRounds++ >= poll.maxResendRounds) {
        throw new UploadFailed(
          "resend_exhausted",
          "Some files kept arriving damaged. Check the connection and send the study again.",
        );
      }
      const missing = status.files.flatMap((f) => chunksToResend(f, chunkSize));
      const missingBytes = missing.reduce((sum, c) => sum + (c.end - c.offset), 0);
      report({ bytesSent: Math.max(0, bytesTotal - missingBytes) });
      await send(missing);
      status = await complete();
      continue;
    }
    await clock.sleep(delay, signal);
    delay = Math.min(delay * 1.5, poll.maxDelayMs);
    status = await withRetry(() => api.getStatus(uploadToken, sessionId, signal), clock, signal);
  }
}

function chunksToResend(file: FileStatus, chunkSize: number): Chunk[] {
  // An empty file has no byte ranges: it is re-sent (one empty chunk) while nothing is recorded.
  if (file.size === 0) return file.received.length === 0 ? planFile(file.index, 0, chunkSize) : [];
  return planRanges(file.index, file.missing, chunkSize);
}

function phaseOf(state: SessionState): UploadPhase {
  switch (state) {
    case "receiving":
      return "uploading";
    case "verifying":
      return "checking";
    case "queued":
    case "forwarding":
      return "sending";
    case "delivered":
    case "partially_delivered":
    case "failed":
    case "expired":
      return "finished";
  }
}

/** The contract caps names at 255 characters; keep the end, where the distinguishing part is. */
export function manifestName(name: string): string {
  const chars = Array.from(name.trim() || "unnamed");
  return chars.length <= 255 ? chars.join("") : chars.slice(-255).join("");
}
