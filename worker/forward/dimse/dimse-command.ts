// DIMSE command sets (PS3.7 section 6.3, 9.3.1): group 0000 in Implicit VR Little Endian, always,
// whatever transfer syntax the data set uses. Encodes C-STORE-RQ and C-ECHO-RQ; decodes their
// responses (same fields). What a status means is store-status.ts; C-FIND is cfind-command.ts,
// built from the primitives exported here.
import { ascii, asciiText, concatBytes, readU16le, readU32le } from "./bytes";

export const TAG = {
  groupLength: 0x00000000,
  affectedSopClassUid: 0x00000002,
  commandField: 0x00000100,
  messageId: 0x00000110,
  messageIdBeingRespondedTo: 0x00000120,
  priority: 0x00000700,
  commandDataSetType: 0x00000800,
  status: 0x00000900,
  affectedSopInstanceUid: 0x00001000,
} as const;

export const COMMAND_FIELD = {
  cStoreRq: 0x0001,
  cStoreRsp: 0x8001,
  cEchoRq: 0x0030,
  cEchoRsp: 0x8030,
  cFindRq: 0x0020,
  cFindRsp: 0x8020,
} as const;
/** The Verification SOP Class, the abstract syntax of C-ECHO. */
export const VERIFICATION_SOP_CLASS = "1.2.840.10008.1.1";
/** (0000,0800) value meaning "no data set follows"; any other value means one does. */
export const NO_DATA_SET = 0x0101;
export const DATA_SET_PRESENT = 0x0000;
export const PRIORITY_MEDIUM = 0x0000;

export function element(tag: number, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + value.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, tag >>> 16, true);
  view.setUint16(2, tag & 0xffff, true);
  view.setUint32(4, value.length, true);
  out.set(value, 8);
  return out;
}

export function us(value: number): Uint8Array {
  return new Uint8Array([value & 0xff, (value >>> 8) & 0xff]);
}

export function ul(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value >>> 0, true);
  return out;
}

/** A UI value: odd lengths get one trailing NUL (PS3.5 9.1). */
export function ui(uid: string): Uint8Array {
  const bytes = ascii(uid);
  if (bytes.length % 2 === 0) return bytes;
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}

export interface CStoreRq {
  messageId: number;
  sopClassUid: string;
  sopInstanceUid: string;
}

/** The C-STORE-RQ command set, CommandGroupLength first and elements in ascending tag order. */
export function encodeCStoreRq(rq: CStoreRq): Uint8Array {
  const rest = concatBytes([
    element(TAG.affectedSopClassUid, ui(rq.sopClassUid)),
    element(TAG.commandField, us(COMMAND_FIELD.cStoreRq)),
    element(TAG.messageId, us(rq.messageId)),
    element(TAG.priority, us(PRIORITY_MEDIUM)),
    element(TAG.commandDataSetType, us(DATA_SET_PRESENT)),
    element(TAG.affectedSopInstanceUid, ui(rq.sopInstanceUid)),
  ]);
  return concatBytes([element(TAG.groupLength, ul(rest.length)), rest]);
}

/** The C-ECHO-RQ command set ("are you there?"): no data set follows. */
export function encodeCEchoRq(messageId: number): Uint8Array {
  const rest = concatBytes([
    element(TAG.affectedSopClassUid, ui(VERIFICATION_SOP_CLASS)),
    element(TAG.commandField, us(COMMAND_FIELD.cEchoRq)),
    element(TAG.messageId, us(messageId)),
    element(TAG.commandDataSetType, us(NO_DATA_SET)),
  ]);
  return concatBytes([element(TAG.groupLength, ul(rest.length)), rest]);
}

/** Group 0000 elements by tag. Throws on bytes that are not an Implicit VR LE command set. */
export function decodeCommandSet(bytes: Uint8Array): Map<number, Uint8Array> {
  const elements = new Map<number, Uint8Array>();
  let at = 0;
  while (at < bytes.length) {
    if (at + 8 > bytes.length) throw new Error("command element header cut short");
    const group = readU16le(bytes, at);
    const tag = ((group << 16) | readU16le(bytes, at + 2)) >>> 0;
    const length = readU32le(bytes, at + 4);
    if (group !== 0x0000) throw new Error("command set element outside group 0000");
    if (at + 8 + length > bytes.length) throw new Error("command element longer than the set");
    elements.set(tag, bytes.subarray(at + 8, at + 8 + length));
    at += 8 + length;
  }
  return elements;
}

/** The fields of a DIMSE response command the association machine needs (any service). */
export interface DimseRsp {
  messageIdBeingRespondedTo: number;
  status: number;
  sopClassUid?: string;
  sopInstanceUid?: string;
}
export type CStoreRsp = DimseRsp;

/** A C-STORE-RSP command set, as an SCP sends it (used by the test peers). */
export function encodeCStoreRsp(rsp: CStoreRsp): Uint8Array {
  const parts = [];
  if (rsp.sopClassUid) parts.push(element(TAG.affectedSopClassUid, ui(rsp.sopClassUid)));
  parts.push(
    element(TAG.commandField, us(COMMAND_FIELD.cStoreRsp)),
    element(TAG.messageIdBeingRespondedTo, us(rsp.messageIdBeingRespondedTo)),
    element(TAG.commandDataSetType, us(NO_DATA_SET)),
    element(TAG.status, us(rsp.status)),
  );
  if (rsp.sopInstanceUid) parts.push(element(TAG.affectedSopInstanceUid, ui(rsp.sopInstanceUid)));
  const rest = concatBytes(parts);
  return concatBytes([element(TAG.groupLength, ul(rest.length)), rest]);
}

export function usValue(
  elements: Map<number, Uint8Array>,
  tag: number,
  name: string,
  command = "C-STORE-RSP",
): number {
  const value = elements.get(tag);
  if (!value || value.length !== 2) throw new Error(`${command} without a valid ${name}`);
  return readU16le(value, 0);
}

export function uiValue(elements: Map<number, Uint8Array>, tag: number): string | undefined {
  const value = elements.get(tag);
  return value ? asciiText(value) : undefined;
}

/**
 * Reads a C-STORE-RSP (or a C-ECHO-RSP, which has the same fields and answers a test connection)
 * command set; throws when it is some other command or lacks a status.
 */
export function decodeCStoreRsp(bytes: Uint8Array): CStoreRsp {
  const elements = decodeCommandSet(bytes);
  const field = usValue(elements, TAG.commandField, "Command Field");
  if (field !== COMMAND_FIELD.cStoreRsp && field !== COMMAND_FIELD.cEchoRsp) {
    throw new Error(`expected a C-STORE-RSP, got command field 0x${field.toString(16)}`);
  }
  if (usValue(elements, TAG.commandDataSetType, "Command Data Set Type") !== NO_DATA_SET) {
    throw new Error("C-STORE-RSP announces a data set");
  }
  return {
    messageIdBeingRespondedTo: usValue(
      elements,
      TAG.messageIdBeingRespondedTo,
      "Message ID Being Responded To",
    ),
    status: usValue(elements, TAG.status, "Status"),
    sopClassUid: uiValue(elements, TAG.affectedSopClassUid),
    sopInstanceUid: uiValue(elements, TAG.affectedSopInstanceUid),
  };
}
