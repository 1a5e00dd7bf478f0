// Sends the byte ranges the server's status lists as missing, one chunk at a time, sized by the
// bandwidth (ChunkSizer), each under the stall watchdog. Every acknowledged chunk is recorded in
// the job at once. A failure is recorded (retries, bytes to send again) and thrown: the runner
// then asks the server's status again before resending, so an overlapping chunk is never sent.
import { sha256OfBytes } from "../uploader/hash";
import type { SessionStatus } from "../uploader/contract";
import type { ChunkSizer } from "./chunk-size";
import { JobGone, classify } from "./failures";
import { ackedBytes, jobBytes, type Job } from "./job";
import { saveJob } from "./job-outcomes";
import { addRange } from "./ranges";
import type { RunnerDeps } from "./runner-deps";
import { firstAllowanceMs, putChunkWatched } from "./send-chunk";
import type { SessionSteps } from "./session-steps";
import { readPlain } from "./store-port";

export interface SendContext {
  deps: RunnerDeps;
  steps: SessionSteps;
  sizer: ChunkSizer;
  signal: AbortSignal;
  /** A chunk was acknowledged. */
  onAck: () => void;
}

interface Pending {
  fileIndex: number;
  start: number;
  end: number;
}

export async function sendMissing(
  ctx: SendContext,
  start: Job,
  status: SessionStatus,
): Promise<Job> {
  const { deps, sizer, signal } = ctx;
  let job = await saveJob(deps, start.id, (j) => ({
    ...j,
    files: j.files.map((f, i) => ({ ...f, received: status.files[i]?.received ?? f.received })),
  }));
  const pending: Pending[] = status.files.flatMap((f) => {
    if (f.size > 0) return f.missing.map(([s, e]) => ({ fileIndex: f.index, start: s, end: e }));
    // An empty file has no byte ranges: it is sent (one empty chunk) while nothing is recorded.
    return f.received.length === 0 ? [{ fileIndex: f.index, start: 0, end: 0 }] : [];
  });
  for (const range of pending) {
    do {
      signal.throwIfAborted();
      job = await sendOne(ctx, job, range, Math.min(range.start + sizer.size, range.end));
    } while (range.start < range.end);
  }
  return job;
}

async function sendOne(ctx: SendContext, job: Job, range: Pending, end: number): Promise<Job> {
  const { deps, sizer, signal } = ctx;
  const { clock, tuning } = deps;
  if (!(await deps.store.get(job.id))) throw new JobGone(); // cancelled in another tab
  const offset = range.start;
  const bytes = await readPlain(deps.store, job, range.fileIndex, offset, end);
  const sha256 = sha256OfBytes(bytes);
  const began = clock.now();
  const done = ackedBytes(job);
  const total = jobBytes(job);
  const progress = (bytesDone: number) =>
    deps.events.progress(job.id, {
      phase: "uploading",
      bytesDone,
      bytesTotal: total,
      rateBps: sizer.rateBps,
    });
  try {
    const ack = await ctx.steps.withToken(job, (s) =>
      putChunkWatched(
        deps.api,
        {
          uploadToken: s.uploadToken,
          sessionId: s.sessionId,
          fileIndex: range.fileIndex,
          offset,
          bytes,
          sha256,
        },
        {
          stallMs: tuning.stallMs,
          firstMs: firstAllowanceMs(bytes.length, tuning.stallMs, sizer.rateBps),
          signal,
          onProgress: (sent) => progress(done + Math.min(sent, bytes.length)),
        },
      ),
    );
    sizer.succeeded(bytes.length, clock.now() - began);
    ctx.onAck();
    const saved = await saveJob(deps, job.id, (j) => ({
      ...j,
      files: j.files.map((f, i) =>
        i === range.fileIndex ? { ...f, received: addRange(f.received, [offset, end]) } : f,
      ),
      // stored: false means the server had these bytes already: they were sent twice.
      stats: ack.stored ? j.stats : { ...j.stats, bytesResent: j.stats.bytesResent + bytes.length },
      live: { rateBps: sizer.rateBps ?? 0, activeAt: clock.now() },
    }));
    progress(ackedBytes(saved));
    range.start = end;
    return saved;
  } catch (error) {
    if (classify(error) === "transient") {
      sizer.failed();
      await saveJob(deps, job.id, (j) => ({
        ...j,
        stats: {
          ...j.stats,
          retries: j.stats.retries + 1,
          bytesResent: j.stats.bytesResent + bytes.length,
        },
      }));
    }
    throw error;
  }
}
