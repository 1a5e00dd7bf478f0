// C-FIND command sets (PS3.7 9.3.2): the request RelayPACS sends to ask a PACS what it holds, and
// the responses it reads back (pending ones announce an identifier data set, the final one does
// not). The identifier itself is cfind-identifier.ts; what a status means is cfind-status.ts.
import { concatBytes } from "./bytes";
import {
  COMMAND_FIELD,
  DATA_SET_PRESENT,
  decodeCommandSet,
  element,
  NO_DATA_SET,
  PRIORITY_MEDIUM,
  TAG,
  ui,
  uiValue,
  ul,
  us,
  usValue,
  type DimseRsp,
} from "./dimse-command";

/** Study Root Query/Retrieve Information Model - FIND (PS3.4 C.6.2.1). */
export const STUDY_ROOT_FIND = "1.2.840.10008.5.1.4.1.2.2.1";

export interface CFindRsp {
  rsp: DimseRsp;
  /** Whether an identifier data set follows this command (pending responses). */
  hasDataSet: boolean;
}

function withGroupLength(parts: Uint8Array[]): Uint8Array {
  const rest = concatBytes(parts);
  return concatBytes([element(TAG.groupLength, ul(rest.length)), rest]);
}

/** The C-FIND-RQ command set; the identifier follows it as a data set. */
export function encodeCFindRq(rq: { messageId: number; sopClassUid: string }): Uint8Array {
  return withGroupLength([
    element(TAG.affectedSopClassUid, ui(rq.sopClassUid)),
    element(TAG.commandField, us(COMMAND_FIELD.cFindRq)),
    element(TAG.messageId, us(rq.messageId)),
    element(TAG.priority, us(PRIORITY_MEDIUM)),
    element(TAG.commandDataSetType, us(DATA_SET_PRESENT)),
  ]);
}

/** A C-FIND-RSP command set, as an SCP sends it (used by the test peers). */
export function encodeCFindRsp(r: {
  messageIdBeingRespondedTo: number;
  status: number;
  hasDataSet: boolean;
}): Uint8Array {
  return withGroupLength([
    element(TAG.affectedSopClassUid, ui(STUDY_ROOT_FIND)),
    element(TAG.commandField, us(COMMAND_FIELD.cFindRsp)),
    element(TAG.messageIdBeingRespondedTo, us(r.messageIdBeingRespondedTo)),
    element(TAG.commandDataSetType, us(r.hasDataSet ? DATA_SET_PRESENT : NO_DATA_SET)),
    element(TAG.status, us(r.status)),
  ]);
}

/** Reads a C-FIND-RSP command set; throws when it is another command or lacks a status. */
export function decodeCFindRsp(bytes: Uint8Array): CFindRsp {
  const elements = decodeCommandSet(bytes);
  const name = "C-FIND-RSP";
  const field = usValue(elements, TAG.commandField, "Command Field", name);
  if (field !== COMMAND_FIELD.cFindRsp) {
    throw new Error(`expected a C-FIND-RSP, got command field 0x${field.toString(16)}`);
  }
  const rsp: DimseRsp = {
    messageIdBeingRespondedTo: usValue(
      elements,
      TAG.messageIdBeingRespondedTo,
      "Message ID Being Responded To",
      name,
    ),
    status: usValue(elements, TAG.status, "Status", name),
  };
  const sopClassUid = uiValue(elements, TAG.affectedSopClassUid);
  if (sopClassUid) rsp.sopClassUid = sopClassUid;
  const dataSetType = usValue(elements, TAG.commandDataSetType, "Command Data Set Type", name);
  return { rsp, hasDataSet: dataSetType !== NO_DATA_SET };
}

/** Pending (0xFF00, or 0xFF01 when optional keys were not supported): a match, more to come. */
export function isPendingStatus(status: number): boolean {
  return status === 0xff00 || status === 0xff01;
}
