// One Durable Object per upload session: the single home of its chunk ledger, verdicts and PACS
// outcomes. A thin shell: it loads state, asks session-machine.ts what happens next, saves, and
// runs the effects. Results cross the RPC boundary as plain values (errors lose their class there).
import { DurableObject } from "cloudflare:workers";
import type {
  ChunkAck,
  ChunkBounds,
  InstanceOutcome,
  ManifestFile,
  SessionStatus,
} from "../worker/contract";
import { readDicomHeader } from "../worker/dicom/header";
import { fail, NO_SUCH_UPLOAD, type Result } from "../worker/errors";
import {
  deleteSessionObjects,
  readRange,
  sha256OfFile,
  type ChunkRef,
} from "../worker/storage/chunks";
import { decideChunk, missingRanges, provenOnWrite } from "./chunk-ledger";
import {
  newSession,
  transition,
  TransitionRefused,
  type Effect,
  type Event,
} from "./session-machine";
import { describeSession, fileStatus } from "./session-status";
import {
  ChunkRow,
  FileRow,
  parseOutcome,
  SCHEMA_SQL,
  SessionMeta,
  type SessionMeta as Meta,
} from "./session-store";
import { decideVerdicts, type FileFacts } from "./verdicts";
import { forwardWatchdogMs } from "../worker/config";
import { log } from "../worker/log";
import { auditSessionOutcome } from "../worker/audit/sessions";

export interface InitArgs {
  sessionId: string;
  ownerId: string;
  clinicId: string;
  files: ManifestFile[];
  clinicalImpression?: string;
  chunkSize: ChunkBounds;
  ttlMs: number;
  sopClassAllowList?: string[];
}

export interface ForwardFile {
  index: number;
  size: number;
  sopInstanceUid: string;
  studyInstanceUid: string;
  chunks: ChunkRef[];
}

export interface ForwardPlan {
  sessionId: string;
  clinicId: string;
  attempt: number;
  clinicalImpression?: string;
  files: ForwardFile[];
}

const REFUSED: Record<
  TransitionRefused["code"],
  { code: "session_not_receiving" | "session_incomplete"; message: string }
> = {
  not_receiving: {
    code: "session_not_receiving",
    message:
      "This upload is no longer taking files (it was completed or has expired). Start a new upload for any files still to send.",
  },
  incomplete: {
    code: "session_incomplete",
    message: "Some parts of the files have not arrived yet. The app sends them, then tries again.",
  },
  not_forwardable: {
    code: "session_not_receiving",
    message: "This upload is not waiting to be sent to the PACS.",
  },
};

/** How many files the check at complete reads at once. */
const FILES_CHECKED_AT_ONCE = 4;

export class UploadSession extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  /** A file check is running in this instance (memory only: a restart is exactly what clears it). */
  private checking = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(SCHEMA_SQL);
  }

  // ---- state plumbing ----------------------------------------------------------------------

  private loadMeta(): Meta | undefined {
    const row = this.sql.exec("SELECT value FROM meta WHERE key = 'session'").toArray()[0];
    return row ? SessionMeta.parse(JSON.parse(textOf(row.value))) : undefined;
  }

  private saveMeta(meta: Meta): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO meta (key, value) VALUES ('session', ?)",
      JSON.stringify(meta),
    );
  }

  private files(): FileRow[] {
    return this.sql
      .exec("SELECT * FROM files ORDER BY idx")
      .toArray()
      .map((r) => FileRow.parse(r));
  }

  private chunks(file?: number): ChunkRow[] {
    const rows =
      file === undefined
        ? this.sql.exec("SELECT * FROM chunks ORDER BY file, offset")
        : this.sql.exec("SELECT * FROM chunks WHERE file = ? ORDER BY offset", file);
    return rows.toArray().map((r) => ChunkRow.parse(r));
  }

  /** Applies an event: saves the next state and runs its effects (which may apply more events). */
  private async apply(meta: Meta, event: Event): Promise<Meta> {
    const { session, effects } = transition(
      { phase: meta.phase, lastActivity: meta.lastActivity },
      event,
      meta.ttlMs,
      forwardWatchdogMs(this.env),
    );
    let next: Meta = { ...meta, ...session, updatedAt: event.now };
    this.saveMeta(next);
    for (const effect of effects) next = await this.run(next, effect);
    return next;
  }

  private async run(meta: Meta, effect: Effect): Promise<Meta> {
    switch (effect.type) {
      case "schedule_alarm":
        await this.ctx.storage.setAlarm(effect.at);
        return meta;
      case "enqueue_forward":
        await this.env.FORWARD_QUEUE.send({ type: "forward", sessionId: meta.sessionId });
        return meta;
      case "delete_objects":
        await deleteSessionObjects(this.env.CHUNKS, meta.sessionId);
        this.sql.exec("DELETE FROM chunks");
        return meta;
      case "forget_phi": {
        // Keep only what the outcome needs: counts, SOP Instance UIDs, verdicts. File names can
        // carry patient names, so they go too.
        this.sql.exec("UPDATE files SET name = 'file ' || (idx + 1)");
        const { clinicalImpression: _dropped, ...rest } = meta;
        this.saveMeta(rest);
        return rest;
      }
      case "verify_files":
        return this.verify(meta);
      default: {
        const never: never = effect;
        throw new Error(`unknown effect ${JSON.stringify(never)}`);
      }
    }
  }

  private refused(error: unknown): Result<never> {
    if (error instanceof TransitionRefused) {
      const r = REFUSED[error.code];
      if (error.phase === "expired") {
        return fail("session_expired", "This upload expired and was removed. Please start again.");
      }
      return fail(r.code, r.message);
    }
    throw error;
  }

  private status(meta: Meta): SessionStatus {
    const files = this.files();
    const chunks = this.chunks();
    return describeSession(
      meta,
      files.map((f) =>
        fileStatus(
          f,
          chunks.filter((c) => c.file === f.idx),
        ),
      ),
    );
  }

  // ---- RPC ---------------------------------------------------------------------------------

  async init(args: InitArgs): Promise<Result<{ status: SessionStatus }>> {
    if (this.loadMeta()) return fail("bad_request", "This upload session already exists.");
    const now = Date.now();
    const { session, effects } = newSession(now, args.ttlMs);
    const meta: Meta = {
      sessionId: args.sessionId,
      ownerId: args.ownerId,
      clinicId: args.clinicId,
      createdAt: now,
      updatedAt: now,
      ttlMs: args.ttlMs,
      chunkSize: args.chunkSize,
      clinicalImpression: args.clinicalImpression,
      warnings: [],
      ...session,
    };
    this.ctx.storage.transactionSync(() => {
      this.saveMeta(meta);
      args.files.forEach((f, idx) =>
        this.sql.exec(
          "INSERT INTO files (idx, name, size, sha256) VALUES (?, ?, ?, ?)",
          idx,
          f.name,
          f.size,
          f.sha256,
        ),
      );
    });
    if (args.sopClassAllowList?.length) {
      this.sql.exec(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('allow', ?)",
        JSON.stringify(args.sopClassAllowList),
      );
    }
    for (const e of effects) await this.run(meta, e);
    return { ok: true, status: this.status(meta) };
  }

  /** Decides a chunk before its bytes are written, so no-ops and conflicts cost no R2 write. */
  async checkChunk(file: number, offset: number, size: number, sha256: string) {
    const meta = this.loadMeta();
    if (!meta) return fail("not_found", NO_SUCH_UPLOAD);
    if (meta.phase.kind !== "receiving")
      return this.refused(new TransitionRefused("not_receiving", meta.phase.kind));
    const row = this.files().find((f) => f.idx === file);
    if (!row)
      return fail(
        "chunk_out_of_range",
        "This upload has no file with that number. Update the app and try again.",
      );
    const decision = decideChunk(
      this.chunks(file),
      row.size,
      { offset, size, sha256 },
      {
        minChunkSize: meta.chunkSize.min,
        maxChunkSize: meta.chunkSize.max,
      },
    );
    return chunkDecisionResult(decision, file, offset, size);
  }

  /** Records a chunk whose bytes are already in R2 under `key`. Re-checks: PUTs may race. */
  async commitChunk(
    file: number,
    offset: number,
    size: number,
    sha256: string,
    key: string,
  ): Promise<Result<{ ack: ChunkAck }>> {
    const checked = await this.checkChunk(file, offset, size, sha256);
    if (!checked.ok || !checked.ack.stored) return checked;
    const meta = this.loadMeta();
    if (!meta) return fail("not_found", NO_SUCH_UPLOAD);
    this.sql.exec(
      "INSERT INTO chunks (file, offset, size, sha256, key) VALUES (?, ?, ?, ?, ?)",
      file,
      offset,
      size,
      sha256,
      key,
    );
    try {
      await this.apply(meta, { type: "chunk_stored", now: Date.now() });
    } catch (error) {
      return this.refused(error);
    }
    return checked;
  }

  async getStatus(): Promise<Result<{ status: SessionStatus; ownerId: string; clinicId: string }>> {
    const meta = this.loadMeta();
    if (!meta) return fail("not_found", NO_SUCH_UPLOAD);
    return { ok: true, status: this.status(meta), ownerId: meta.ownerId, clinicId: meta.clinicId };
  }

  async complete(): Promise<Result<{ status: SessionStatus }>> {
    const meta = this.loadMeta();
    if (!meta) return fail("not_found", NO_SUCH_UPLOAD);
    // Already past receiving: completing again is a no-op that returns the current status.
    if (meta.phase.kind !== "receiving" && meta.phase.kind !== "expired") {
      return { ok: true, status: this.status(meta) };
    }
    const chunks = this.chunks();
    const allBytesReceived = this.files().every(
      (f) =>
        missingRanges(
          chunks.filter((c) => c.file === f.idx),
          f.size,
        ).length === 0,
    );
    try {
      const next = await this.apply(meta, {
        type: "complete_requested",
        now: Date.now(),
        allBytesReceived,
      });
      return { ok: true, status: this.status(next) };
    } catch (error) {
      return this.refused(error);
    }
  }

  private allowList(): string[] | undefined {
    const row = this.sql.exec("SELECT value FROM meta WHERE key = 'allow'").toArray()[0];
    return row ? (JSON.parse(textOf(row.value)) as string[]) : undefined;
  }

  /** Whole-file SHA-256 (streamed) and a header read from a slice, for every file not yet verified. */
  private async verify(meta: Meta): Promise<Meta> {
    this.checking = true;
    try {
      return await this.checkFiles(meta);
    } finally {
      this.checking = false;
    }
  }

  /** One file's checksum (the whole file, streamed) and, when it matches, its DICOM header. */
  private async checkFile(f: FileRow): Promise<FileFacts> {
    const refs = this.chunks(f.idx);
    const actual = provenOnWrite(refs, f) ? f.sha256 : await sha256OfFile(this.env.CHUNKS, refs);
    const read = (start: number, end: number) =>
      readRange(this.env.CHUNKS, refs, start, Math.min(end, f.size));
    const header =
      actual === f.sha256
        ? await readDicomHeader(read, f.size)
        : { ok: false as const, code: "checksum_mismatch", message: "" };
    return {
      index: f.idx,
      sha256: f.sha256,
      checksumMatches: actual === f.sha256,
      header: header.ok ? { ok: true, ...header.header } : header,
    };
  }

  private async checkFiles(meta: Meta): Promise<Meta> {
    const files = this.files();
    const facts: FileFacts[] = new Array<FileFacts>(files.length);
    let next = 0;
    const checkNext = async (): Promise<void> => {
      for (let at = next++; at < files.length; at = next++)
        facts[at] = await this.checkFile(files[at]!);
    };
    // A few files at a time: each is mostly waiting on R2, so their reads overlap.
    await Promise.all(Array.from({ length: FILES_CHECKED_AT_ONCE }, checkNext));
    const summary = decideVerdicts(facts, this.allowList());
    this.ctx.storage.transactionSync(() => {
      for (const fact of facts) {
        const verdict = summary.verdicts.get(fact.index);
        const h = fact.header;
        this.sql.exec(
          "UPDATE files SET verdict = ?, sop_instance_uid = ?, study_instance_uid = ? WHERE idx = ?",
          verdict ? JSON.stringify(verdict) : null,
          h.ok ? h.sopInstanceUid : null,
          h.ok ? h.studyInstanceUid : null,
          fact.index,
        );
      }
      // A damaged file's chunks are dropped so the client re-sends the whole file.
      for (const idx of summary.needsReupload)
        this.sql.exec("DELETE FROM chunks WHERE file = ?", idx);
    });
    const withWarnings = { ...meta, warnings: summary.warnings };
    const accepted = [...summary.verdicts.values()].filter((v) => v.accepted).length;
    return this.apply(withWarnings, {
      type: "verified",
      now: Date.now(),
      accepted,
      needsReupload: summary.needsReupload.length > 0,
    });
  }

  /** Called by the queue consumer: the files still to send, or null if nothing is to be sent. */
  async beginForward(): Promise<ForwardPlan | null> {
    const meta = this.loadMeta();
    if (!meta || (meta.phase.kind !== "queued" && meta.phase.kind !== "forwarding")) return null;
    const next = await this.apply(meta, { type: "forward_started", now: Date.now() });
    const attempt = next.phase.kind === "forwarding" ? next.phase.attempts : 1;
    const chunks = this.chunks();
    const files: ForwardFile[] = [];
    for (const f of this.files()) {
      const verdict = f.verdict ? (JSON.parse(f.verdict) as { accepted: boolean }) : undefined;
      const outcome = parseOutcome(f.outcome);
      // Never re-send what the PACS already holds: a retry only carries what is still pending.
      if (!verdict?.accepted || outcome?.status === "stored" || outcome?.status === "warning")
        continue;
      if (!f.sop_instance_uid || !f.study_instance_uid) continue;
      files.push({
        index: f.idx,
        size: f.size,
        sopInstanceUid: f.sop_instance_uid,
        studyInstanceUid: f.study_instance_uid,
        chunks: chunks
          .filter((c) => c.file === f.idx)
          .map(({ offset, size, key }) => ({ offset, size, key })),
      });
    }
    return {
      sessionId: meta.sessionId,
      clinicId: meta.clinicId,
      attempt,
      clinicalImpression: meta.clinicalImpression,
      files,
    };
  }

  async recordOutcomes(
    outcomes: Array<{ index: number; outcome: InstanceOutcome }>,
  ): Promise<void> {
    this.ctx.storage.transactionSync(() => {
      for (const o of outcomes) {
        this.sql.exec(
          "UPDATE files SET outcome = ? WHERE idx = ?",
          JSON.stringify(o.outcome),
          o.index,
        );
      }
    });
    // Each batch answered is progress: it keeps the forward watchdog off a long forward.
    const meta = this.loadMeta();
    if (meta?.phase.kind === "forwarding")
      await this.apply(meta, { type: "forward_progress", now: Date.now() });
  }

  async finishForward(): Promise<SessionStatus | null> {
    const meta = this.loadMeta();
    if (!meta || meta.phase.kind !== "forwarding") return null;
    const outcomes = this.files()
      .filter((f) => f.verdict && (JSON.parse(f.verdict) as { accepted: boolean }).accepted)
      .map((f) => parseOutcome(f.outcome));
    const stored = outcomes.filter((o) => o?.status === "stored" || o?.status === "warning").length;
    const next = await this.apply(meta, {
      type: "forward_finished",
      now: Date.now(),
      stored,
      failed: outcomes.length - stored,
    });
    return this.status(next);
  }

  /**
   * Instances the PACS said it stored but whose receipt has not been confirmed yet (the consumer
   * asks the PACS for them before the session counts as delivered).
   */
  async unconfirmedInstances(): Promise<Array<ForwardFile & { outcome: InstanceOutcome }>> {
    const chunks = this.chunks();
    return this.files().flatMap((f) => {
      const outcome = parseOutcome(f.outcome);
      if (!outcome || outcome.confirmed || !f.sop_instance_uid || !f.study_instance_uid) return [];
      if (outcome.status !== "stored" && outcome.status !== "warning") return [];
      return [
        {
          index: f.idx,
          size: f.size,
          sopInstanceUid: f.sop_instance_uid,
          studyInstanceUid: f.study_instance_uid,
          chunks: chunks
            .filter((c) => c.file === f.idx)
            .map(({ offset, size, key }) => ({ offset, size, key })),
          outcome,
        },
      ];
    });
  }

  /** Every accepted file the PACS has not stored gets this outcome (when the relay gives up). */
  async failPending(code: string, message: string): Promise<void> {
    this.ctx.storage.transactionSync(() => {
      for (const f of this.files()) {
        const verdict = f.verdict ? (JSON.parse(f.verdict) as { accepted: boolean }) : undefined;
        const outcome = parseOutcome(f.outcome);
        if (!verdict?.accepted || outcome?.status === "stored" || outcome?.status === "warning")
          continue;
        const failed: InstanceOutcome = {
          status: "failed",
          sopInstanceUid: f.sop_instance_uid ?? undefined,
          code,
          message,
        };
        this.sql.exec("UPDATE files SET outcome = ? WHERE idx = ?", JSON.stringify(failed), f.idx);
      }
    });
  }

  /** An admin sends a failed or partly delivered session again (fresh attempts). */
  async redrive(): Promise<Result<{ status: SessionStatus }>> {
    const meta = this.loadMeta();
    if (!meta) return fail("not_found", NO_SUCH_UPLOAD);
    if (meta.phase.kind !== "failed" && meta.phase.kind !== "partially_delivered") {
      return fail(
        "session_not_receiving",
        "Only an upload that failed or was partly delivered can be sent again.",
      );
    }
    const next = await this.apply(meta, { type: "redrive", now: Date.now() });
    return { ok: true, status: this.status(next) };
  }

  /** The consumer retries the message in `delaySeconds`; the watchdog waits that long on top. */
  async retryForward(delaySeconds: number): Promise<void> {
    const meta = this.loadMeta();
    if (meta?.phase.kind === "forwarding")
      await this.apply(meta, {
        type: "forward_retry",
        now: Date.now(),
        delayMs: delaySeconds * 1000,
      });
  }

  async giveUpForward(reason: string): Promise<void> {
    const meta = this.loadMeta();
    if (meta && (meta.phase.kind === "forwarding" || meta.phase.kind === "queued")) {
      await this.apply(meta, { type: "forward_gave_up", now: Date.now(), reason });
    }
  }

  override async alarm(): Promise<void> {
    const meta = this.loadMeta();
    if (!meta) return;
    const next = await this.apply(meta, {
      type: "alarm",
      now: Date.now(),
      lastActivity: meta.lastActivity,
      ttlMs: meta.ttlMs,
      checking: this.checking,
    });
    const stalled = next.phase.kind === "failed" && next.phase.reason === "relay_stalled";
    if (stalled && meta.phase.kind !== "failed") {
      log("error", "forward_watchdog_gave_up", { session: meta.sessionId });
      await this.failPending(
        "relay_stalled",
        "RelayPACS could not start sending this image to the PACS. Send it again; if this happens again, tell your administrator.",
      );
      await auditSessionOutcome(
        this.env,
        { status: this.status(next), ownerId: next.ownerId, clinicId: next.clinicId },
        null,
      ).catch(() => undefined);
    }
    if (meta.phase.kind === "verifying" && next.lastActivity !== meta.lastActivity) {
      log("warn", "verify_watchdog_rechecked", { session: meta.sessionId });
    }
    // An alarm touches a queued or forwarding session only when its watchdog sent it again.
    const waiting = meta.phase.kind === "queued" || meta.phase.kind === "forwarding";
    if (waiting && next.phase.kind === "queued" && next.lastActivity !== meta.lastActivity) {
      log("warn", "forward_watchdog_requeued", {
        session: meta.sessionId,
        phase: meta.phase.kind,
        attempts: next.phase.attempts,
      });
    }
  }
}

function chunkDecisionResult(
  decision: ReturnType<typeof decideChunk>,
  file: number,
  offset: number,
  size: number,
): Result<{ ack: ChunkAck }> {
  switch (decision.kind) {
    case "accept":
      return { ok: true, ack: { file, offset, size, stored: true } };
    case "duplicate":
      return { ok: true, ack: { file, offset, size, stored: false } };
    case "conflict":
      return fail(
        "chunk_conflict",
        decision.reason === "overlap"
          ? "This piece overlaps a piece already received. The app should ask which parts are missing and send only those."
          : "A different piece was already received at this position of the file. The file may have changed since it was chosen; choose it again.",
      );
    case "out_of_range":
      return fail(
        "chunk_out_of_range",
        "This piece lies outside the file's declared size. Update the app and try again.",
      );
    case "bad_size":
      return fail(
        "chunk_size_invalid",
        decision.reason === "too_large"
          ? "This piece is larger than the server accepts. Send smaller pieces."
          : "This piece is smaller than the server accepts (only a file's last piece may be smaller). Update the app and try again.",
      );
    default: {
      const never: never = decision;
      throw new Error(`unknown decision ${JSON.stringify(never)}`);
    }
  }
}

/** A TEXT column's value; anything else means the schema and the code disagree. */
function textOf(value: SqlStorageValue | undefined): string {
  if (typeof value !== "string") throw new Error("expected a TEXT value in session storage");
  return value;
}
