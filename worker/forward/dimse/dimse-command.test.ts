import { describe, expect, it } from "vitest";
import { readU16le, readU32le } from "./bytes";
import {
  COMMAND_FIELD,
  decodeCommandSet,
  decodeCStoreRsp,
  encodeCStoreRq,
  encodeCStoreRsp,
} from "./dimse-command";

const CT = "1.2.840.10008.5.1.4.1.1.2";
const UID = "1.2.3.4.5"; // odd length: needs a NUL pad

function tags(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let at = 0; at < bytes.length; at += 8 + readU32le(bytes, at + 4)) {
    out.push((readU16le(bytes, at) << 16) | readU16le(bytes, at + 2));
  }
  return out;
}

describe("C-STORE-RQ command set (PS3.7 9.3.1.1, Implicit VR LE)", () => {
  const bytes = encodeCStoreRq({ messageId: 7, sopClassUid: CT, sopInstanceUid: UID });
  const elements = decodeCommandSet(bytes);

  it("starts with CommandGroupLength equal to the bytes that follow it", () => {
    expect(readU16le(bytes, 0)).toBe(0x0000);
    expect(readU16le(bytes, 2)).toBe(0x0000);
    expect(readU32le(bytes, 4)).toBe(4);
    expect(readU32le(bytes, 8)).toBe(bytes.length - 12);
  });

  it("holds the required elements in ascending tag order", () => {
    expect(tags(bytes)).toEqual([0x0000, 0x0002, 0x0100, 0x0110, 0x0700, 0x0800, 0x1000]);
  });

  it("says C-STORE-RQ, message 7, medium priority, a data set follows, and names the instance", () => {
    const us = (tag: number) => readU16le(elements.get(tag) ?? new Uint8Array(2), 0);
    expect(us(0x0100)).toBe(COMMAND_FIELD.cStoreRq);
    expect(us(0x0110)).toBe(7);
    expect(us(0x0700)).toBe(0);
    expect(us(0x0800)).not.toBe(0x0101);
    expect(new TextDecoder().decode(elements.get(0x0002))).toBe(`${CT}\0`); // 25 chars: padded
  });

  it("pads an odd-length UID to even length with one NUL", () => {
    const value = elements.get(0x1000) ?? new Uint8Array();
    expect(value.length).toBe(UID.length + 1);
    expect(value[UID.length]).toBe(0);
  });
});

describe("C-STORE-RSP decoding", () => {
  it("reads the status and the message it answers", () => {
    const bytes = encodeCStoreRsp({
      messageIdBeingRespondedTo: 7,
      status: 0xb000,
      sopClassUid: CT,
      sopInstanceUid: UID,
    });
    expect(decodeCStoreRsp(bytes)).toEqual({
      messageIdBeingRespondedTo: 7,
      status: 0xb000,
      sopClassUid: CT,
      sopInstanceUid: UID,
    });
  });

  it("refuses a command that is not a C-STORE-RSP", () => {
    const rq = encodeCStoreRq({ messageId: 1, sopClassUid: CT, sopInstanceUid: UID });
    expect(() => decodeCStoreRsp(rq)).toThrow(/expected a C-STORE-RSP/);
  });

  it("refuses a response without a status", () => {
    const full = encodeCStoreRsp({ messageIdBeingRespondedTo: 1, status: 0 });
    const kept: number[] = [];
    for (let at = 0; at < full.length; at += 8 + readU32le(full, at + 4)) {
      const element = full.subarray(at, at + 8 + readU32le(full, at + 4));
      if (readU16le(full, at + 2) !== 0x0900) kept.push(...element);
    }
    expect(() => decodeCStoreRsp(new Uint8Array(kept))).toThrow(/Status/);
  });

  it("refuses elements outside group 0000 and cut elements", () => {
    expect(() => decodeCommandSet(new Uint8Array([8, 0, 0x16, 0, 0, 0, 0, 0]))).toThrow(
      /group 0000/,
    );
    expect(() => decodeCommandSet(new Uint8Array([0, 0, 0, 9, 4, 0, 0, 0, 1]))).toThrow(/longer/);
    expect(() => decodeCommandSet(new Uint8Array([0, 0, 0]))).toThrow(/cut short/);
  });
});
