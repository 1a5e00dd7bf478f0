// Sending a session's batches to the PACS: a batch the PACS finds too large is halved down to one
// instance, and batches go a few at a time. Pure orchestration over the PacsAdapter interface and
// a `record` callback, so its rules are unit-tested without a PACS.
import type { Failure } from "../contract";
import type { ForwardInstance, InstanceResult, PacsAdapter } from "./adapter";

export type Record = (results: InstanceResult[]) => Promise<void>;

const TOO_LARGE =
  "This image is larger than the PACS (or a proxy in front of it) accepts. Ask your PACS administrator to raise the limit.";

/** Stores a batch; when the PACS says it is too large, sends it in halves, down to one instance. */
export async function storeBatch(
  adapter: PacsAdapter,
  batch: ForwardInstance[],
  record: Record,
): Promise<Failure | null> {
  const result = await adapter.store(batch);
  if (result.kind === "too_large") {
    if (batch.length > 1) {
      const half = Math.ceil(batch.length / 2);
      return (
        (await storeBatch(adapter, batch.slice(0, half), record)) ??
        (await storeBatch(adapter, batch.slice(half), record))
      );
    }
    const [only] = batch as [ForwardInstance];
    await record([
      {
        index: only.index,
        outcome: {
          status: "failed",
          sopInstanceUid: only.sopInstanceUid,
          code: "too_large",
          message: TOO_LARGE,
        },
      },
    ]);
    return null;
  }
  if (result.kind === "failure") return result.failure;
  await record(result.results);
  return result.failure ?? null;
}

/**
 * Stores every batch, at most `inFlight` at once. After the first failure (or error) no new batch
 * starts; the ones already sent finish and record what the PACS said, then the failure is
 * returned (or the error thrown): the retry carries only what is still unconfirmed, and nothing
 * is still sending once this returns.
 */
export async function storeAll(
  adapter: PacsAdapter,
  batches: ForwardInstance[][],
  record: Record,
  inFlight: number,
): Promise<Failure | null> {
  let next = 0;
  let failure: Failure | null = null;
  let thrown = false;
  const lane = async () => {
    while (failure === null && !thrown && next < batches.length) {
      const batch = batches[next++]!;
      try {
        // Not `failure ??= await ...`: that reads `failure` before the await and would overwrite
        // a failure another lane recorded meanwhile with this lane's null.
        const outcome = await storeBatch(adapter, batch, record);
        failure = failure ?? outcome;
      } catch (error) {
        thrown = true;
        throw error;
      }
    }
  };
  const lanes = await Promise.allSettled(
    Array.from({ length: Math.max(1, Math.min(inFlight, batches.length)) }, lane),
  );
  const error = lanes.find((l) => l.status === "rejected");
  if (error) throw error.reason;
  return failure;
}
