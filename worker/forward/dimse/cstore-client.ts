// C-STORE SCU entry point: sends stored DICOM files to a PACS over DIMSE and says, per file, what
// happened. Files are probed for their SOP class and transfer syntax, grouped into associations
// (one presentation context per pair, association-run.ts), and streamed from storage without
// their file meta. The socket factory is injected: cloudflare:sockets' `connect` in the worker,
// node:net in Node tests.
import type { Ending } from "./association-machine";
import { runAssociation, type Probed, type Recorder } from "./association-run";
import { isValidAeTitle } from "./bytes";
import { endingReason, notSentReason } from "./ending-reasons";
import { planAssociations } from "./presentation";
import { probeInstance } from "./probe";
import type { Connect, CStoreConfig, StoreOutcome, StoreSource } from "./types";

export type { Connect, CStoreConfig, DimseSocket, StoreOutcome, StoreSource } from "./types";
export { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from "./association-run";

/** New associations allowed per call after the PACS broke one off (see shouldReconnect). */
export const MAX_RECONNECTS = 3;

/**
 * Whether to open a new association for the files still queued after one broke. Rules:
 * - our own stored file failed mid-send ("local_abort"): always, and free; the PACS is fine.
 * - the PACS aborted, hung up, or asked to release: yes. Free when the broken association got
 *   at least one answer (it made progress, like a PACS that limits files per association);
 *   otherwise counted, up to MAX_RECONNECTS per call. The file in flight takes the blame.
 * - a timeout or a protocol error: no; a PACS that hangs or garbles would make every remaining
 *   file wait out the timeout (the queue consumer retries the whole batch later instead).
 */
export function shouldReconnect(
  ending: Ending,
  used: number,
  answered: number,
): "free" | "counted" | "no" {
  if (ending.kind === "local_abort") return "free";
  const peerBroke =
    ending.kind === "aborted_by_peer" ||
    ending.kind === "connection_lost" ||
    ending.kind === "released_by_peer";
  if (!peerBroke) return "no";
  if (answered > 0) return "free";
  return used < MAX_RECONNECTS ? "counted" : "no";
}

function configProblem(c: CStoreConfig): string | null {
  if (!c.host) return "no PACS host is set";
  if (!Number.isInteger(c.port) || c.port < 1 || c.port > 65535) {
    return "the PACS port is not 1-65535";
  }
  if (!isValidAeTitle(c.callingAeTitle)) {
    return "RelayPACS's own AE title is not 1-16 plain characters";
  }
  if (!isValidAeTitle(c.calledAeTitle)) return "the PACS AE title is not 1-16 plain characters";
  if (!(c.timeoutMs > 0)) return "the timeout is not a positive number";
  return null;
}

/**
 * Stores `instances` in the PACS described by `config`, in order, and returns one outcome per
 * instance in the same order. Never throws for a PACS or network problem: those become failed
 * outcomes with a plain reason.
 */
export async function storeInstances(
  config: CStoreConfig,
  instances: readonly StoreSource[],
  connect: Connect,
): Promise<StoreOutcome[]> {
  const outcomes = new Map<StoreSource, StoreOutcome>();
  const record: Recorder = (source, outcome) =>
    outcomes.set(source, { fileIndex: source.fileIndex, ...outcome });
  const fail = (items: Probed[], failure: ReturnType<typeof endingReason>) => {
    for (const { source, info } of items) {
      record(source, { sopInstanceUid: info.sopInstanceUid, status: "failed", ...failure });
    }
  };
  // Every path below records each instance exactly once; the fallback only guards that promise.
  const outcomeOf = (source: StoreSource): StoreOutcome =>
    outcomes.get(source) ?? {
      fileIndex: source.fileIndex,
      sopInstanceUid: "",
      status: "failed",
      code: "internal",
      reason: "RelayPACS lost track of this image while sending it. Send it again.",
      retryable: true,
    };

  const problem = configProblem(config);
  if (problem) {
    const reason = `RelayPACS's DICOM (C-STORE) settings are incomplete: ${problem}. Ask your administrator to fix them in RelayPACS's settings.`;
    for (const source of instances) {
      record(source, {
        sopInstanceUid: "",
        status: "failed",
        code: "bad_config",
        reason,
        retryable: false,
      });
    }
    return instances.map(outcomeOf);
  }

  const probed: Probed[] = [];
  for (const source of instances) {
    const result = await probeInstance(source);
    if (result.ok) probed.push({ source, info: result.info });
    else {
      const { code, reason } = result;
      record(source, { sopInstanceUid: "", status: "failed", code, reason, retryable: false });
    }
  }

  let reconnects = 0;
  for (const plan of planAssociations(probed)) {
    const queue = [...plan.items];
    while (queue.length > 0) {
      const run = await runAssociation(config, plan.contexts, queue, connect, record);
      if (run.kind === "done") continue;
      if (run.kind === "not_opened") {
        fail(queue.splice(0), endingReason(run.ending, config));
        continue;
      }
      const decision = shouldReconnect(run.ending, reconnects, run.answered);
      if (decision === "counted") reconnects++;
      if (decision === "no") fail(queue.splice(0), notSentReason(run.ending, config));
    }
  }
  return instances.map(outcomeOf);
}
