// Encodes and decodes whole upper-layer PDUs (PS3.8 9.3): the 6-byte header (type, reserved,
// 32-bit big-endian length) around each body. Splitting a byte stream into PDUs is pdu-reader.ts.
import { concatBytes, readU32be, u32be } from "./bytes";
import { decodeAssociateBody, encodeAssociateBody } from "./pdu-associate";
import { PDU_TYPE, PduDecodeError, type Pdu, type Pdv } from "./pdu-types";

export const PDU_HEADER_BYTES = 6;
/** Item length (4) + presentation context ID (1) + message control header (1). */
export const PDV_OVERHEAD_BYTES = 6;
export const PDV_DATA_OFFSET = PDU_HEADER_BYTES + PDV_OVERHEAD_BYTES;

function withHeader(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(PDU_HEADER_BYTES + body.length);
  out[0] = type;
  out.set(u32be(body.length), 2);
  out.set(body, PDU_HEADER_BYTES);
  return out;
}

/**
 * A P-DATA-TF PDU with room for one PDV of `dataLength` bytes: the caller writes the data at
 * offset PDV_DATA_OFFSET, then sealPdvPdu fills in the headers. Lets a fragment be copied once.
 */
export function allocPdvPdu(dataLength: number): Uint8Array {
  return new Uint8Array(PDV_DATA_OFFSET + dataLength);
}
export function sealPdvPdu(pdu: Uint8Array, contextId: number, command: boolean, last: boolean) {
  const pdvLength = pdu.length - PDV_DATA_OFFSET + 2;
  pdu[0] = PDU_TYPE.pDataTf;
  pdu[1] = 0;
  pdu.set(u32be(4 + pdvLength), 2);
  pdu.set(u32be(pdvLength), 6);
  pdu[10] = contextId;
  pdu[11] = (command ? 0x01 : 0) | (last ? 0x02 : 0);
  return pdu;
}

/** One P-DATA-TF PDU holding one PDV. */
export function encodePdvPdu(pdv: Pdv): Uint8Array {
  const pdu = allocPdvPdu(pdv.data.length);
  pdu.set(pdv.data, PDV_DATA_OFFSET);
  return sealPdvPdu(pdu, pdv.contextId, pdv.command, pdv.last);
}

export function encodePdu(pdu: Pdu): Uint8Array {
  switch (pdu.type) {
    case "associate-rq":
      return withHeader(PDU_TYPE.associateRq, encodeAssociateBody(pdu));
    case "associate-ac":
      return withHeader(PDU_TYPE.associateAc, encodeAssociateBody(pdu));
    case "associate-rj":
      return withHeader(
        PDU_TYPE.associateRj,
        new Uint8Array([0, pdu.result, pdu.source, pdu.reason]),
      );
    case "p-data-tf":
      return withHeader(
        PDU_TYPE.pDataTf,
        concatBytes(pdu.pdvs.map((p) => encodePdvPdu(p).subarray(PDU_HEADER_BYTES))),
      );
    case "release-rq":
      return withHeader(PDU_TYPE.releaseRq, new Uint8Array(4));
    case "release-rp":
      return withHeader(PDU_TYPE.releaseRp, new Uint8Array(4));
    case "abort":
      return withHeader(PDU_TYPE.abort, new Uint8Array([0, 0, pdu.source, pdu.reason]));
  }
}

function decodePdvs(body: Uint8Array): Pdv[] {
  const pdvs: Pdv[] = [];
  let at = 0;
  while (at < body.length) {
    if (at + 4 > body.length) throw new PduDecodeError("PDV item header cut short");
    const length = readU32be(body, at);
    if (length < 2) throw new PduDecodeError("PDV item shorter than its 2-byte header");
    if (at + 4 + length > body.length) throw new PduDecodeError("PDV item longer than its PDU");
    const header = body[at + 5] ?? 0;
    pdvs.push({
      contextId: body[at + 4] ?? 0,
      command: (header & 0x01) !== 0,
      last: (header & 0x02) !== 0,
      data: body.subarray(at + 6, at + 4 + length),
    });
    at += 4 + length;
  }
  if (pdvs.length === 0) throw new PduDecodeError("P-DATA-TF without any PDV");
  return pdvs;
}

function fourBytes(body: Uint8Array, what: string): Uint8Array {
  if (body.length !== 4) throw new PduDecodeError(`${what} PDU body is not 4 bytes`);
  return body;
}

/** Decodes a PDU body (what follows the 6-byte header) of the given type. */
export function decodePdu(type: number, body: Uint8Array): Pdu {
  switch (type) {
    case PDU_TYPE.associateRq:
      return decodeAssociateBody(1, body);
    case PDU_TYPE.associateAc:
      return decodeAssociateBody(2, body);
    case PDU_TYPE.associateRj: {
      const b = fourBytes(body, "A-ASSOCIATE-RJ");
      return { type: "associate-rj", result: b[1] ?? 0, source: b[2] ?? 0, reason: b[3] ?? 0 };
    }
    case PDU_TYPE.pDataTf:
      return { type: "p-data-tf", pdvs: decodePdvs(body) };
    case PDU_TYPE.releaseRq:
      fourBytes(body, "A-RELEASE-RQ");
      return { type: "release-rq" };
    case PDU_TYPE.releaseRp:
      fourBytes(body, "A-RELEASE-RP");
      return { type: "release-rp" };
    case PDU_TYPE.abort: {
      const b = fourBytes(body, "A-ABORT");
      return { type: "abort", source: b[2] ?? 0, reason: b[3] ?? 0 };
    }
    default:
      throw new PduDecodeError(`unknown PDU type 0x${type.toString(16).padStart(2, "0")}`);
  }
}
