// Queue consumer: forwards one session's accepted files to its clinic's PACS destination, in
// batches bounded by bytes and instance count, streamed from R2 (never a whole file in memory),
// records what the PACS said about each instance, then confirms receipt before calling the session
// delivered. Messages carry ids only. Retrying only ever carries instances the PACS has not
// confirmed, and a PACS keys instances by SOP Instance UID, so a retry never duplicates one.
import type { ForwardFile } from "../../durable/upload-session";
import { auditForwardOutcome } from "../audit/sessions";
import { ForwardMessage, MAX_ATTEMPTS, shouldRetry, type Failure } from "../contract";
import { AppError } from "../errors";
import { log } from "../log";
import { openFile } from "../storage/chunks";
import type { ForwardInstance, InstanceResult, PacsAdapter } from "./adapter";
import { adapterFor } from "./adapters";
import { destinationFor, resolveAuth, type ResolvedDestination } from "./destination";
import { batchParts } from "./stow-body";
import { storeAll } from "./store-batches";

type SessionStub = DurableObjectStub<import("../../durable/upload-session").UploadSession>;

const NOT_CONFIRMED_YET =
  "The PACS said it stored this image, but does not list it yet. RelayPACS will check again.";
const NOT_CONFIRMED =
  "The PACS said it stored this image, but it cannot be found there. Ask your PACS administrator; RelayPACS can send it again.";
const GAVE_UP: Record<string, string> = {
  pacs_unreachable:
    "RelayPACS could not deliver this image after several attempts (the PACS did not answer, or answered with an error). Your administrator can send it again.",
  dead_lettered:
    "RelayPACS stopped trying to deliver this image after repeated errors. Your administrator can send it again.",
};

function toInstance(env: Env, f: ForwardFile): ForwardInstance {
  return {
    index: f.index,
    size: f.size,
    sopInstanceUid: f.sopInstanceUid,
    studyInstanceUid: f.studyInstanceUid,
    open: () => openFile(env.CHUNKS, f.chunks),
  };
}

/**
 * STOW-RS batches go two at a time: the PACS stores one while the next streams in, which took a
 * 500 MB study from 1.2x to under 1x the time of a plain one-request-at-a-time upload. A DIMSE or
 * Orthanc REST destination gets one at a time (storescp and small PACS serve one association).
 */
function batchesInFlight(destination: ResolvedDestination): number {
  return destination.config.adapter === "stow-rs" ? 2 : 1;
}

/** Asks the PACS for every instance it said it stored. Returns a failure to retry on, or null. */
async function confirmReceipt(
  env: Env,
  stub: SessionStub,
  adapter: PacsAdapter,
  attempt: number,
): Promise<Failure | "unconfirmed" | null> {
  if (!adapter.confirm) return null;
  const waiting = await stub.unconfirmedInstances();
  if (waiting.length === 0) return null;
  const checked = await adapter.confirm(waiting.map((f) => toInstance(env, f)));
  if (checked.kind === "failure") return checked.failure;
  if (checked.kind === "unconfirmable")
    return stub.recordOutcomes(checked.results).then(() => null);
  const lastAttempt = attempt >= MAX_ATTEMPTS;
  const results: InstanceResult[] = waiting.map((f) =>
    checked.present.has(f.sopInstanceUid)
      ? { index: f.index, outcome: { ...f.outcome, confirmed: true } }
      : {
          index: f.index,
          outcome: {
            status: lastAttempt ? "failed" : "pending",
            sopInstanceUid: f.sopInstanceUid,
            code: "not_confirmed",
            message: lastAttempt ? NOT_CONFIRMED : NOT_CONFIRMED_YET,
          },
        },
  );
  await stub.recordOutcomes(results);
  const missing = results.some((r) => !r.outcome.confirmed);
  return missing && !lastAttempt ? "unconfirmed" : null;
}

async function retryOrGiveUp(
  stub: SessionStub,
  message: Message<unknown>,
  sessionId: string,
  attempt: number,
  failure: Failure,
): Promise<void> {
  const delay = shouldRetry(failure, attempt, Math.random());
  log("warn", "forward_failed", {
    session: sessionId,
    attempt,
    kind: failure.kind,
    status: failure.kind === "http" ? failure.status : null,
    retryIn: delay,
  });
  if (delay === null) {
    await stub.failPending("pacs_unreachable", GAVE_UP.pacs_unreachable!);
    await stub.giveUpForward("pacs_unreachable");
    message.ack();
  } else {
    await stub.retryForward(delay);
    message.retry({ delaySeconds: delay });
  }
}

async function forwardSession(env: Env, message: Message<unknown>): Promise<void> {
  const parsed = ForwardMessage.safeParse(message.body);
  if (!parsed.success) {
    log("error", "forward_bad_message", {});
    message.ack();
    return;
  }
  const sessionId = parsed.data.sessionId;
  const stub: SessionStub = env.UPLOAD_SESSION.get(env.UPLOAD_SESSION.idFromName(sessionId));
  const plan = await stub.beginForward();
  if (!plan) {
    message.ack();
    return;
  }

  let adapter: PacsAdapter;
  let destination;
  try {
    destination = resolveAuth(env, await destinationFor(env, plan.clinicId));
    adapter = adapterFor(destination);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    // A configuration problem: retrying cannot help until an admin fixes it and re-drives.
    log("error", "forward_destination_misconfigured", {
      session: sessionId,
      clinic: plan.clinicId,
    });
    await stub.failPending(error.code, error.message);
    await stub.giveUpForward(error.code);
    message.ack();
    return;
  }

  const record = (results: InstanceResult[]) => stub.recordOutcomes(results);
  const instances = plan.files.map((f) => toInstance(env, f));
  const { batchBytes, batchInstances, confirmReceipt: confirm } = destination.config;
  const batches = batchParts(instances, batchBytes, batchInstances);
  const failure = await storeAll(adapter, batches, record, batchesInFlight(destination));
  if (failure) return retryOrGiveUp(stub, message, sessionId, plan.attempt, failure);

  if (confirm) {
    const confirmation = await confirmReceipt(env, stub, adapter, plan.attempt);
    if (confirmation === "unconfirmed") {
      return retryOrGiveUp(stub, message, sessionId, plan.attempt, { kind: "http", status: 503 });
    }
    if (confirmation) return retryOrGiveUp(stub, message, sessionId, plan.attempt, confirmation);
  }

  const status = await stub.finishForward();
  log("info", "forward_finished", {
    session: sessionId,
    destination: destination.id,
    adapter: destination.config.adapter,
    state: status?.state ?? null,
    stored: status?.counts.stored ?? 0,
    failed: status?.counts.failed ?? 0,
  });
  message.ack();
}

export async function consumeForwardBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    await forwardSession(env, message);
    await auditForwardOutcome(env, message);
  }
}

/**
 * The dead-letter queue: a message lands here after the runtime gave up on it (the consumer kept
 * throwing). The session is marked failed with a plain reason, so its user sees it and an admin
 * can re-drive it; nothing is lost, the bytes stay in R2 until the session expires.
 */
export async function consumeDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    const parsed = ForwardMessage.safeParse(message.body);
    if (parsed.success) {
      const stub: SessionStub = env.UPLOAD_SESSION.get(
        env.UPLOAD_SESSION.idFromName(parsed.data.sessionId),
      );
      await stub.failPending("dead_lettered", GAVE_UP.dead_lettered!);
      await stub.giveUpForward("dead_lettered");
      log("error", "forward_dead_lettered", { session: parsed.data.sessionId });
      await auditForwardOutcome(env, message, true);
    } else {
      log("error", "forward_bad_message", { queue: "dead_letter" });
    }
    message.ack();
  }
}
