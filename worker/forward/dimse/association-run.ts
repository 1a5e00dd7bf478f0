// Sends queued files over ONE association: request it with the batch's presentation contexts,
// store each file on its accepted context (streamed, file meta skipped), release. Records an
// outcome for every file it takes from the queue; what to do after a broken association (retry
// or give up) is the caller's policy, in cstore-client.ts.
import { Association } from "./association";
import type { Ending } from "./association-machine";
import { encodeCStoreRq } from "./dimse-command";
import { endingReason, type PeerDescription } from "./ending-reasons";
import { commandPdus, dataSetPdus, maxFragmentBytes } from "./fragments";
import type { InstanceInfo } from "./part10";
import { DICOM_APPLICATION_CONTEXT, type AssociateRq, type ProposedContext } from "./pdu-types";
import { chooseContext } from "./presentation";
import { classifyStoreStatus, isTransientStatus } from "./store-status";
import type { Connect, CStoreConfig, StoreOutcome, StoreSource } from "./types";

/** RelayPACS's implementation class UID: a UUID-derived UID (PS3.5 B.2), fixed forever. */
export const IMPLEMENTATION_CLASS_UID = "2.25.140277263361516135516897050532296830233";
export const IMPLEMENTATION_VERSION_NAME = "RELAYPACS_0_1";
const DEFAULT_RECEIVE_PDU = 16 * 1024;
/** Bounds the memory of one outgoing PDU even when the PACS accepts anything. */
const DEFAULT_SEND_PDU_CAP = 256 * 1024;
/** Smallest PACS limit that leaves room for a useful fragment. */
const MIN_PEER_PDU = 64;

export interface Probed {
  source: StoreSource;
  info: InstanceInfo;
}

export type Recorder = (source: StoreSource, outcome: Omit<StoreOutcome, "fileIndex">) => void;

export type RunResult =
  | { kind: "done" }
  /** Nothing was sent; the queue is untouched. */
  | { kind: "not_opened"; ending: Ending }
  /** Any file in flight was recorded as failed; the rest are still queued. */
  | { kind: "broken"; ending: Ending; answered: number };

export function associateRq(c: CStoreConfig, contexts: ProposedContext[]): AssociateRq {
  return {
    type: "associate-rq",
    calledAeTitle: c.calledAeTitle,
    callingAeTitle: c.callingAeTitle,
    applicationContext: DICOM_APPLICATION_CONTEXT,
    contexts,
    user: {
      maxLength: c.maxReceivePduLength ?? DEFAULT_RECEIVE_PDU,
      implementationClassUid: IMPLEMENTATION_CLASS_UID,
      implementationVersionName: IMPLEMENTATION_VERSION_NAME,
    },
  };
}

/** Takes files from the front of `queue` and sends them on one association. */
export async function runAssociation(
  config: CStoreConfig,
  contexts: ProposedContext[],
  queue: Probed[],
  connect: Connect,
  record: Recorder,
): Promise<RunResult> {
  const peer: PeerDescription = config;
  const association = new Association(
    { request: associateRq(config, contexts), timeoutMs: config.timeoutMs },
    { hostname: config.host, port: config.port },
    connect,
  );
  const opened = await association.open();
  if (!opened.ok) return { kind: "not_opened", ending: opened.ending };
  const peerMax = opened.negotiated.peerMaxLength || Infinity;
  const sendMax = Math.min(peerMax, config.maxSendPduLength ?? DEFAULT_SEND_PDU_CAP);
  if (sendMax < MIN_PEER_PDU) {
    association.abort("peer maximum PDU length too small");
    return { kind: "not_opened", ending: { kind: "protocol_error", detail: "tiny max PDU" } };
  }
  const maxFragment = maxFragmentBytes(sendMax);
  let messageId = 0;
  let answered = 0;
  for (let item = queue.shift(); item; item = queue.shift()) {
    if (association.ending) {
      queue.unshift(item); // the PACS ended the association between files: this one is unsent
      return { kind: "broken", ending: association.ending, answered };
    }
    const uid = item.info.sopInstanceUid;
    const choice = chooseContext(contexts, opened.negotiated.contexts, item.info);
    if (!choice.ok) {
      const { code, reason } = choice;
      record(item.source, {
        sopInstanceUid: uid,
        status: "failed",
        code,
        reason,
        retryable: false,
      });
      continue;
    }
    let stream: ReadableStream<Uint8Array>;
    try {
      stream = await item.source.open();
    } catch {
      const failure = endingReason({ kind: "local_abort", detail: "open failed" }, peer);
      record(item.source, { sopInstanceUid: uid, status: "failed", ...failure });
      continue;
    }
    messageId = (messageId % 0xffff) + 1;
    const { sopClassUid, dataSetOffset } = item.info;
    const command = encodeCStoreRq({ messageId, sopClassUid, sopInstanceUid: uid });
    const result = await association.store({
      messageId,
      contextId: choice.contextId,
      commandPdus: commandPdus(command, choice.contextId, maxFragment),
      dataPdus: dataSetPdus(stream, {
        skip: dataSetOffset,
        length: item.source.size - dataSetOffset,
        contextId: choice.contextId,
        maxFragment,
      }),
    });
    if ("ending" in result && !result.started) {
      await stream.cancel().catch(() => undefined); // never read: let storage go
      queue.unshift(item);
      return { kind: "broken", ending: result.ending, answered };
    }
    if ("ending" in result) {
      const failure = endingReason(result.ending, peer);
      record(item.source, { sopInstanceUid: uid, status: "failed", ...failure });
      return { kind: "broken", ending: result.ending, answered };
    }
    answered++;
    const verdict = classifyStoreStatus(result.rsp.status);
    const retryable = isTransientStatus(result.rsp.status);
    record(item.source, { sopInstanceUid: uid, ...verdict, retryable });
  }
  // A failed release changes nothing for files the PACS already answered.
  await association.release();
  return { kind: "done" };
}
