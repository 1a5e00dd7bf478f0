// How the association machine reads a DIMSE response out of P-DATA-TF PDUs: command fragments
// reassembled and decoded, a C-FIND match's identifier collected, the message id checked. Pure;
// a result with `error` makes the machine abort with a protocol error.
import type { Answer, Exchange } from "./association-types";
import { concatBytes } from "./bytes";
import { decodeCFindRsp, isPendingStatus } from "./cfind-command";
import { decodeCStoreRsp, type DimseRsp } from "./dimse-command";
import type { Pdu } from "./pdu-types";

/** A response command set larger than this is not a C-STORE-RSP or C-FIND-RSP. */
const MAX_COMMAND_BYTES = 64 * 1024;
/** One C-FIND match's identifier; RelayPACS asks for four keys, so this is generous. */
const MAX_IDENTIFIER_BYTES = 256 * 1024;

export interface Received {
  fragments: Uint8Array[];
  identifier?: Exchange["identifier"];
  /** Complete responses in this PDU, in order; only the last may be final. */
  answers: Answer[];
  final: boolean;
}

const size = (parts: Uint8Array[]) => parts.reduce((n, f) => n + f.length, 0);

function decodeResponse(
  x: Exchange,
  bytes: Uint8Array,
): { rsp: DimseRsp; hasDataSet: boolean } | { error: string } {
  try {
    // A C-STORE-RSP (or C-ECHO-RSP) never has a data set: decodeCStoreRsp refuses one.
    return x.service === "find"
      ? decodeCFindRsp(bytes)
      : { rsp: decodeCStoreRsp(bytes), hasDataSet: false };
  } catch (error) {
    return { error: error instanceof Error ? error.message : "an undecodable response" };
  }
}

/**
 * Adds a P-DATA-TF to the response being assembled: the responses it completes, and what is still
 * partial. A C-STORE gets one final response; a C-FIND gets pending ones, each followed by its
 * identifier, then a final one.
 */
export function receiveResponse(
  x: Exchange,
  pdu: Extract<Pdu, { type: "p-data-tf" }>,
): Received | { error: string } {
  let fragments = [...x.fragments];
  let identifier = x.identifier && { ...x.identifier, fragments: [...x.identifier.fragments] };
  const answers: Answer[] = [];
  let final = false;
  const complete = (answer: Answer) => {
    answers.push(answer);
    final = x.service !== "find" || !isPendingStatus(answer.rsp.status);
  };
  for (const pdv of pdu.pdvs) {
    if (final) return { error: "data after the last response fragment" };
    if (!pdv.command && !identifier) {
      return {
        error:
          x.service === "find"
            ? "a data set before its response"
            : "a data set in a C-STORE response",
      };
    }
    if (pdv.contextId !== x.contextId)
      return { error: "a response on another presentation context" };
    if (!pdv.command && identifier) {
      identifier.fragments.push(pdv.data);
      if (size(identifier.fragments) > MAX_IDENTIFIER_BYTES) {
        return { error: "an oversized identifier" };
      }
      if (pdv.last) {
        complete({ rsp: identifier.rsp, identifier: concatBytes(identifier.fragments) });
        identifier = undefined;
      }
      continue;
    }
    if (identifier) return { error: "a response before the identifier it announced" };
    fragments.push(pdv.data);
    if (size(fragments) > MAX_COMMAND_BYTES) return { error: "an oversized response command" };
    if (!pdv.last) continue;
    const decoded = decodeResponse(x, concatBytes(fragments));
    fragments = [];
    if ("error" in decoded) return decoded;
    if (decoded.rsp.messageIdBeingRespondedTo !== x.messageId)
      return { error: "a response to another message" };
    if (decoded.hasDataSet) identifier = { rsp: decoded.rsp, fragments: [] };
    else complete({ rsp: decoded.rsp });
  }
  return identifier ? { fragments, identifier, answers, final } : { fragments, answers, final };
}
