// The PacsAdapter for a "c-store" destination: one storeInstances call per batch, each outcome
// mapped onto the forwarding contract. Failures worth retrying unchanged (PACS unreachable, busy,
// connection lost) are left out of the results and reported as a Failure, so the queue consumer's
// retry policy resends exactly those instances. Receipt is confirmed with C-FIND (cfind-client.ts):
// a PACS that will not answer queries ends each instance with words for the administrator
// ("unconfirmable") rather than a retry loop that could never succeed.
import type { Failure } from "../../contract";
import { log } from "../../log";
import type { ConfirmResult, PacsAdapter, StoreResult } from "../adapter";
import type { ResolvedDestination } from "../destination";
import { findInstances } from "./cfind-client";
import {
  storeInstances,
  type Connect,
  type CStoreConfig,
  type StoreOutcome,
} from "./cstore-client";

/** "pacs.example.org:104" -> host and port; the destination schema already checked the shape. */
export function parseHostPort(url: string): { host: string; port: number } {
  const at = url.lastIndexOf(":");
  return { host: url.slice(0, at), port: Number(url.slice(at + 1)) };
}

function failureOf(outcomes: StoreOutcome[]): Failure {
  return outcomes.some((o) => o.code === "timeout") ? { kind: "timeout" } : { kind: "network" };
}

/** The DIMSE peer of a c-store destination: address, AE titles and the wait limit. */
export function dimsePeer(destination: ResolvedDestination, timeoutMs: number): CStoreConfig {
  const { host, port } = parseHostPort(destination.config.url);
  return {
    host,
    port,
    callingAeTitle: destination.config.callingAeTitle,
    calledAeTitle: destination.config.calledAeTitle,
    timeoutMs,
  };
}

export function cstoreAdapter(destination: ResolvedDestination, connect: Connect): PacsAdapter {
  const config = dimsePeer(destination, destination.config.timeoutSeconds * 1000);
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

    async confirm(instances): Promise<ConfirmResult> {
      const found = await findInstances(config, instances, connect);
      if (found.kind === "found") return { kind: "checked", present: found.present };
      log("warn", "confirm_query_failed", {
        destination: destination.id,
        verdict: found.kind,
        code: found.kind === "unanswerable" ? found.code : null,
      });
      if (found.kind === "retry") {
        return {
          kind: "failure",
          failure: found.timeout ? { kind: "timeout" } : { kind: "network" },
        };
      }
      const message = `The PACS said it stored this image. ${found.reason}`;
      const results = instances.map((i) => ({
        index: i.index,
        outcome: {
          status: "failed" as const,
          sopInstanceUid: i.sopInstanceUid,
          code: found.code,
          message,
        },
      }));
      return { kind: "unconfirmable", results };
    },
  };
}
