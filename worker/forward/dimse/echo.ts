// C-ECHO (the Verification service, PS3.7 9.1.5): the DICOM "test connection". Opens an
// association proposing only Verification, sends one C-ECHO-RQ, reads the answer and releases.
// Reuses the C-STORE association driver: an echo is a store with a command set and no data set.
import { Association } from "./association";
import type { Ending } from "./association-machine";
import { associateRq } from "./association-run";
import { encodeCEchoRq, VERIFICATION_SOP_CLASS } from "./dimse-command";
import { commandPdus, maxFragmentBytes } from "./fragments";
import { IMPLICIT_VR_LE } from "./part10";
import { CONTEXT_RESULT } from "./pdu-types";
import type { Connect, CStoreConfig } from "./types";

const CONTEXT_ID = 1;
/** A command set of a few dozen bytes fits any PACS's PDU limit; this is only a floor. */
const MIN_PDU = 1024;

const NO_DATA_SET: AsyncIterable<Uint8Array> = {
  [Symbol.asyncIterator]: () => ({
    next: () => Promise.resolve({ done: true, value: undefined }),
  }),
};

export type EchoResult =
  | { kind: "ok" }
  /** The association was up but the PACS answered the echo with this DIMSE status. */
  | { kind: "status"; status: number }
  /** The PACS accepted the association but not the Verification service. */
  | { kind: "no_verification" }
  | { kind: "ended"; ending: Ending };

export async function cEcho(config: CStoreConfig, connect: Connect): Promise<EchoResult> {
  const association = new Association(
    {
      request: associateRq(config, [
        {
          id: CONTEXT_ID,
          abstractSyntax: VERIFICATION_SOP_CLASS,
          transferSyntaxes: [IMPLICIT_VR_LE],
        },
      ]),
      timeoutMs: config.timeoutMs,
    },
    { hostname: config.host, port: config.port },
    connect,
  );
  const opened = await association.open();
  if (!opened.ok) return { kind: "ended", ending: opened.ending };
  const context = opened.negotiated.contexts.find((c) => c.id === CONTEXT_ID);
  if (context?.result !== CONTEXT_RESULT.acceptance) {
    await association.release();
    return { kind: "no_verification" };
  }
  const maxFragment = maxFragmentBytes(Math.max(MIN_PDU, opened.negotiated.peerMaxLength));
  const messageId = 1;
  const answer = await association.store({
    messageId,
    contextId: CONTEXT_ID,
    commandPdus: commandPdus(encodeCEchoRq(messageId), CONTEXT_ID, maxFragment),
    dataPdus: NO_DATA_SET,
  });
  if ("ending" in answer) return { kind: "ended", ending: answer.ending };
  await association.release();
  return answer.rsp.status === 0 ? { kind: "ok" } : { kind: "status", status: answer.rsp.status };
}
