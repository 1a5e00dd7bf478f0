// Queue consumer: forwards one session's accepted files to the PACS with STOW-RS, in batches
// bounded by bytes and instance count, streamed from R2 (never a whole file in memory), and
// records what the PACS said about each instance. Messages carry ids only.
import type { ForwardFile } from "../../durable/upload-session";
import { ForwardMessage, shouldRetry, type Failure } from "../contract";
import { log } from "../log";
import { streamFile } from "../storage/chunks";
import { batchParts } from "./stow-body";
import { pacsFrom, sendStow, type StowAttempt } from "./stow-client";

const DEFAULT_BATCH_BYTES = 50 * 1024 * 1024;
const DEFAULT_BATCH_INSTANCES = 100;

type Outcome = Parameters<
  DurableObjectStub<import("../../durable/upload-session").UploadSession>["recordOutcomes"]
>[0];

/** Sends a batch; on 413 splits it in halves down to one instance. Returns a transient failure, if any. */
async function sendBatch(
  env: Env,
  files: ForwardFile[],
  record: (outcomes: Outcome) => Promise<void>,
): Promise<Failure | null> {
  const pacs = pacsFrom(env);
  const byUid = new Map(files.map((f) => [f.sopInstanceUid, f.index]));
  const attempt: StowAttempt = await sendStow(
    pacs,
    files.map((f) => ({
      size: f.size,
      sopInstanceUid: f.sopInstanceUid,
      open: async () => streamFile(env.CHUNKS, f.chunks),
    })),
  );
  if (attempt.kind === "failure") return attempt.failure;
  const result = attempt.result;
  if (result.kind === "too_large") {
    if (files.length > 1) {
      const half = Math.ceil(files.length / 2);
      return (
        (await sendBatch(env, files.slice(0, half), record)) ??
        (await sendBatch(env, files.slice(half), record))
      );
    }
  }
  if (result.kind === "transient") return { kind: "http", status: attempt.status };
  await record(
    result.instances.flatMap((i) => {
      const index = byUid.get(i.sopInstanceUid);
      return index === undefined
        ? []
        : [
            {
              index,
              outcome: {
                status: i.status,
                sopInstanceUid: i.sopInstanceUid,
                code: i.code,
                message: i.message,
              },
            },
          ];
    }),
  );
  return null;
}

async function forwardSession(env: Env, message: Message<unknown>): Promise<void> {
  const parsed = ForwardMessage.safeParse(message.body);
  if (!parsed.success) {
    log("error", "forward_bad_message", {});
    message.ack();
    return;
  }
  const sessionId = parsed.data.sessionId;
  const stub = env.UPLOAD_SESSION.get(env.UPLOAD_SESSION.idFromName(sessionId));
  const plan = await stub.beginForward();
  if (!plan) {
    message.ack();
    return;
  }
  const limitBytes = Number(env.STOW_BATCH_BYTES) || DEFAULT_BATCH_BYTES;
  const limitCount = Number(env.STOW_BATCH_INSTANCES) || DEFAULT_BATCH_INSTANCES;
  for (const batch of batchParts(plan.files, limitBytes, limitCount)) {
    const failure = await sendBatch(env, batch, (o) => stub.recordOutcomes(o));
    if (failure) {
      const delay = shouldRetry(failure, plan.attempt, Math.random());
      log("warn", "forward_failed", {
        session: sessionId,
        attempt: plan.attempt,
        kind: failure.kind,
        status: failure.kind === "http" ? failure.status : null,
        retryIn: delay,
      });
      if (delay === null) {
        await stub.giveUpForward("pacs_unreachable");
        message.ack();
      } else {
        await stub.retryForward();
        message.retry({ delaySeconds: delay });
      }
      return;
    }
  }
  const status = await stub.finishForward();
  log("info", "forward_finished", {
    session: sessionId,
    state: status?.state ?? null,
    stored: status?.counts.stored ?? 0,
    failed: status?.counts.failed ?? 0,
  });
  message.ack();
}

export async function consumeForwardBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  for (const message of batch.messages) await forwardSession(env, message);
}
