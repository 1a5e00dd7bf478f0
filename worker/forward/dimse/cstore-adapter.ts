// The PacsAdapter for a "c-store" destination: one storeInstances call per batch, each outcome
// mapped onto the forwarding contract. Failures worth retrying unchanged (PACS unreachable, busy,
// connection lost) are left out of the results and reported as a Failure, so the queue consumer's
// retry policy resends exactly those instances. C-STORE has no receipt query here (no C-FIND), so
// there is no confirm().
import type { Failure } from "../../contract";
import type { PacsAdapter, StoreResult } from "../adapter";
import type { ResolvedDestination } from "../destination";
import { storeInstances, type Connect, type StoreOutcome } from "./cstore-client";

/** "pacs.example.org:104" -> host and port; the destination schema already checked the shape. */
export function parseHostPort(url: string): { host: string; port: number } {
  const at = url.lastIndexOf(":");
  return { host: url.slice(0, at), port: Number(url.slice(at + 1)) };
}

function failureOf(outcomes: StoreOutcome[]): Failure {
  return outcomes.some((o) => o.code === "timeout") ? { kind: "timeout" } : { kind: "network" };
}

export function cstoreAdapter(destination: ResolvedDestination, connect: Connect): PacsAdapter {
  const { host, port } = parseHostPort(destination.config.url);
  const config = {
    host,
    port,
    callingAeTitle: destination.config.callingAeTitle,
    calledAeTitle: destination.config.calledAeTitle,
    timeoutMs: destination.config.timeoutSeconds * 1000,
  };
  return {
    async store(batch): Promise<StoreResult> {
      const outcomes = await storeInstances(
        config,
        batch.map((i) => ({ ...i, fileIndex: i.index })),
        connect,
      );
      const retry = outcomes.filter((o) => o.status === "failed" && o.retryable);
      const known = outcomes.filter((o) => !(o.status === "failed" && o.retryable));
      if (known.length === 0 && retry[0]) {
        return { kind: "failure", failure: failureOf(retry), message: retry[0].reason };
      }
      const results = known.map((o) => ({
        index: o.fileIndex,
        outcome: {
          status: o.status,
          sopInstanceUid: o.sopInstanceUid || undefined,
          code: o.code,
          message: o.reason,
        },
      }));
      return retry.length > 0
        ? { kind: "answered", results, failure: failureOf(retry) }
        : { kind: "answered", results };
    },
  };
}
