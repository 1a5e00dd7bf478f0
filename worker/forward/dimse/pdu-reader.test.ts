import { describe, expect, it } from "vitest";
import { concatBytes } from "./bytes";
import { encodePdu } from "./pdu";
import { PduReader } from "./pdu-reader";
import { DICOM_APPLICATION_CONTEXT, type Pdu } from "./pdu-types";

const pdus: Pdu[] = [
  {
    type: "associate-ac",
    calledAeTitle: "A",
    callingAeTitle: "B",
    applicationContext: DICOM_APPLICATION_CONTEXT,
    contexts: [{ id: 1, result: 0, transferSyntax: "1.2.840.10008.1.2" }],
    user: { maxLength: 4096, implementationClassUid: "1.2.3.4" },
  },
  {
    type: "p-data-tf",
    pdvs: [{ contextId: 1, command: true, last: true, data: new Uint8Array([1, 2, 3, 4]) }],
  },
  { type: "release-rp" },
  { type: "abort", source: 2, reason: 1 },
];
const stream = concatBytes(pdus.map(encodePdu));

describe("PduReader", () => {
  it("several PDUs in one read come out in order", () => {
    const result = new PduReader(1 << 20).push(stream);
    expect(result.error).toBeUndefined();
    expect(result.pdus).toEqual(pdus);
  });

  it("a stream cut at every possible byte position still yields the same PDUs", () => {
    for (let cut = 1; cut < stream.length; cut++) {
      const reader = new PduReader(1 << 20);
      const first = reader.push(stream.slice(0, cut));
      const second = reader.push(stream.slice(cut));
      expect([...first.pdus, ...second.pdus]).toEqual(pdus);
      expect(reader.buffered).toBe(0);
    }
  });

  it("a stream fed one byte at a time yields the same PDUs", () => {
    const reader = new PduReader(1 << 20);
    const out: Pdu[] = [];
    for (const byte of stream) out.push(...reader.push(new Uint8Array([byte])).pdus);
    expect(out).toEqual(pdus);
  });

  it("keeps an incomplete PDU buffered until the rest arrives", () => {
    const reader = new PduReader(1 << 20);
    expect(reader.push(stream.slice(0, 5)).pdus).toEqual([]);
    expect(reader.buffered).toBe(5);
  });

  it("refuses a PDU announcing more bytes than allowed, before buffering its body", () => {
    const reader = new PduReader(100);
    const result = reader.push(new Uint8Array([4, 0, 0, 0, 1, 0]));
    expect(result.error?.message).toMatch(/exceeds/);
    expect(reader.buffered).toBe(0);
  });

  it("refuses an unknown PDU type and accepts nothing afterwards", () => {
    const reader = new PduReader(1 << 20);
    const result = reader.push(
      concatBytes([encodePdu({ type: "release-rp" }), new Uint8Array([0x42, 0, 0, 0, 0, 0])]),
    );
    expect(result.pdus).toEqual([{ type: "release-rp" }]);
    expect(result.error?.message).toMatch(/unknown PDU type 0x42/);
    expect(reader.push(encodePdu({ type: "release-rp" }))).toEqual({
      pdus: [],
      error: result.error,
    });
  });
});
