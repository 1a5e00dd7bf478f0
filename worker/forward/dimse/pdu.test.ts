import { describe, expect, it } from "vitest";
import { decodePdu, encodePdu, encodePdvPdu } from "./pdu";
import { DICOM_APPLICATION_CONTEXT, PduDecodeError, type AssociateRq, type Pdu } from "./pdu-types";

const rq: AssociateRq = {
  type: "associate-rq",
  calledAeTitle: "PACS",
  callingAeTitle: "RELAYPACS",
  applicationContext: DICOM_APPLICATION_CONTEXT,
  contexts: [
    {
      id: 1,
      abstractSyntax: "1.2.840.10008.5.1.4.1.1.2",
      transferSyntaxes: ["1.2.840.10008.1.2.1"],
    },
    {
      id: 3,
      abstractSyntax: "1.2.840.10008.5.1.4.1.1.4",
      transferSyntaxes: ["1.2.840.10008.1.2", "1.2.840.10008.1.2.1"],
    },
  ],
  user: { maxLength: 16384, implementationClassUid: "2.25.1", implementationVersionName: "TEST_1" },
};

const roundTrip = (pdu: Pdu) => {
  const bytes = encodePdu(pdu);
  return decodePdu(bytes[0] ?? 0, bytes.subarray(6));
};

describe("PDU encoding (PS3.8 9.3)", () => {
  it("an A-ASSOCIATE-RQ has type 1, a big-endian length, protocol version 1 and space-padded AE titles", () => {
    const bytes = encodePdu(rq);
    const view = new DataView(bytes.buffer);
    expect(bytes[0]).toBe(0x01);
    expect(view.getUint32(2, false)).toBe(bytes.length - 6);
    expect(view.getUint16(6, false)).toBe(1);
    expect(new TextDecoder().decode(bytes.subarray(10, 26))).toBe("PACS            ");
    expect(new TextDecoder().decode(bytes.subarray(26, 42))).toBe("RELAYPACS       ");
    expect(bytes.subarray(42, 74).every((b) => b === 0)).toBe(true);
    // First item: application context, type 0x10, 2-byte length, the UID.
    expect(bytes[74]).toBe(0x10);
    expect(view.getUint16(76, false)).toBe(DICOM_APPLICATION_CONTEXT.length);
    expect(new TextDecoder().decode(bytes.subarray(78, 78 + 21))).toBe(DICOM_APPLICATION_CONTEXT);
    // Then a presentation context item 0x20 whose first byte is the context ID.
    expect(bytes[99]).toBe(0x20);
    expect(bytes[103]).toBe(1);
  });

  it("the user information carries the maximum length as a 4-byte big-endian value (item 0x51)", () => {
    const bytes = encodePdu(rq);
    const at = bytes.findIndex((b, i) => b === 0x51 && bytes[i + 1] === 0 && bytes[i + 3] === 4);
    expect(at).toBeGreaterThan(0);
    expect(new DataView(bytes.buffer).getUint32(at + 4, false)).toBe(16384);
  });

  it("A-ASSOCIATE-RQ and -AC survive a round trip", () => {
    expect(roundTrip(rq)).toEqual(rq);
    const ac: Pdu = {
      type: "associate-ac",
      calledAeTitle: "PACS",
      callingAeTitle: "RELAYPACS",
      applicationContext: DICOM_APPLICATION_CONTEXT,
      contexts: [
        { id: 1, result: 0, transferSyntax: "1.2.840.10008.1.2.1" },
        { id: 3, result: 4, transferSyntax: "" },
      ],
      user: { maxLength: 0, implementationClassUid: "1.2.3" },
    };
    expect(roundTrip(ac)).toEqual(ac);
  });

  it("A-ASSOCIATE-RJ, A-RELEASE-RQ/RP and A-ABORT are 10-byte PDUs with their fields in place", () => {
    expect([...encodePdu({ type: "associate-rj", result: 1, source: 1, reason: 7 })]).toEqual([
      3, 0, 0, 0, 0, 4, 0, 1, 1, 7,
    ]);
    expect([...encodePdu({ type: "release-rq" })]).toEqual([5, 0, 0, 0, 0, 4, 0, 0, 0, 0]);
    expect([...encodePdu({ type: "release-rp" })]).toEqual([6, 0, 0, 0, 0, 4, 0, 0, 0, 0]);
    expect([...encodePdu({ type: "abort", source: 2, reason: 2 })]).toEqual([
      7, 0, 0, 0, 0, 4, 0, 0, 2, 2,
    ]);
    for (const pdu of [
      { type: "associate-rj", result: 2, source: 3, reason: 1 },
      { type: "release-rq" },
      { type: "release-rp" },
      { type: "abort", source: 0, reason: 0 },
    ] as const) {
      expect(roundTrip(pdu)).toEqual(pdu);
    }
  });

  it("a PDV's item length counts its context ID and control header; bit 0 command, bit 1 last", () => {
    const bytes = encodePdvPdu({
      contextId: 5,
      command: true,
      last: true,
      data: new Uint8Array([9, 8, 7]),
    });
    expect([...bytes]).toEqual([4, 0, 0, 0, 0, 9, 0, 0, 0, 5, 5, 3, 9, 8, 7]);
    const data = encodePdvPdu({
      contextId: 7,
      command: false,
      last: false,
      data: new Uint8Array(2),
    });
    expect(data[11]).toBe(0);
  });

  it("a P-DATA-TF with several PDVs decodes into the same PDVs", () => {
    const pdu: Pdu = {
      type: "p-data-tf",
      pdvs: [
        { contextId: 1, command: true, last: true, data: new Uint8Array([1, 2]) },
        { contextId: 1, command: false, last: false, data: new Uint8Array([3, 4, 5, 6]) },
        { contextId: 1, command: false, last: true, data: new Uint8Array([]) },
      ],
    };
    expect(roundTrip(pdu)).toEqual(pdu);
  });
});

describe("PDU decoding refuses malformed input", () => {
  const cases: Array<[string, number, number[]]> = [
    ["an unknown PDU type", 0x09, [0, 0, 0, 0]],
    ["a release body that is not 4 bytes", 0x05, [0, 0, 0]],
    ["an A-ASSOCIATE-AC shorter than its fixed part", 0x02, new Array<number>(40).fill(0)],
    ["a PDV longer than its PDU", 0x04, [0, 0, 0, 9, 1, 3, 0]],
    ["a PDV shorter than its header", 0x04, [0, 0, 0, 1, 1]],
    ["a P-DATA-TF without PDVs", 0x04, []],
  ];
  for (const [what, type, body] of cases) {
    it(`throws PduDecodeError for ${what}`, () => {
      expect(() => decodePdu(type, new Uint8Array(body))).toThrow(PduDecodeError);
    });
  }

  it("throws for an A-ASSOCIATE-AC without user information", () => {
    const full = encodePdu({ ...rq, type: "associate-ac", contexts: [] });
    const withoutUser = full.subarray(6, 6 + 68 + 4 + DICOM_APPLICATION_CONTEXT.length);
    expect(() => decodePdu(2, withoutUser)).toThrow(/user information/);
  });
});
