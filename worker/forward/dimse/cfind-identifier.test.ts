import { describe, expect, it } from "vitest";
import { ascii, concatBytes } from "./bytes";
import { encodeImageQuery, imageQueries, readSopInstanceUid } from "./cfind-identifier";

const query = { studyInstanceUid: "1.2.3", sopInstanceUids: ["1.2.3.4.5", "1.2.3.4.66"] };

describe("the IMAGE-level query identifier", () => {
  it("Explicit VR LE: SOP Instance UID list, level IMAGE, study key, empty series key, in tag order", () => {
    const bytes = encodeImageQuery(query, true);
    const expected = concatBytes([
      new Uint8Array([0x08, 0x00, 0x18, 0x00]),
      ascii("UI"),
      new Uint8Array([20, 0]),
      ascii("1.2.3.4.5\\1.2.3.4.66"),
      new Uint8Array([0x08, 0x00, 0x52, 0x00]),
      ascii("CS"),
      new Uint8Array([6, 0]),
      ascii("IMAGE "),
      new Uint8Array([0x20, 0x00, 0x0d, 0x00]),
      ascii("UI"),
      new Uint8Array([6, 0]),
      ascii("1.2.3"),
      new Uint8Array([0]),
      new Uint8Array([0x20, 0x00, 0x0e, 0x00]),
      ascii("UI"),
      new Uint8Array([0, 0]),
    ]);
    expect(bytes).toEqual(expected);
  });

  it("Implicit VR LE: the same elements with 32-bit lengths and no VR", () => {
    const bytes = encodeImageQuery(query, false);
    expect(bytes.length).toBe(8 + 20 + 8 + 6 + 8 + 6 + 8);
    expect(new DataView(bytes.buffer).getUint32(4, true)).toBe(20);
  });

  it("long lists are split into queries of at most 100 UIDs, per study, each UID once", () => {
    const instances = [
      ...Array.from({ length: 250 }, (_, i) => ({
        studyInstanceUid: "1.1",
        sopInstanceUid: `1.1.${i}`,
      })),
      { studyInstanceUid: "2.2", sopInstanceUid: "2.2.1" },
      { studyInstanceUid: "2.2", sopInstanceUid: "2.2.1" },
    ];
    const queries = imageQueries(instances);
    expect(queries.map((q) => [q.studyInstanceUid, q.sopInstanceUids.length])).toEqual([
      ["1.1", 100],
      ["1.1", 100],
      ["1.1", 50],
      ["2.2", 1],
    ]);
  });
});

describe("reading a match", () => {
  it("finds the SOP Instance UID in both syntaxes, without its padding", () => {
    const one = { studyInstanceUid: "1.2.3", sopInstanceUids: ["1.2.3.4.5"] };
    expect(readSopInstanceUid(encodeImageQuery(one, true), true)).toBe("1.2.3.4.5");
    expect(readSopInstanceUid(encodeImageQuery(one, false), false)).toBe("1.2.3.4.5");
  });

  it("drops the trailing space Orthanc pads UIDs with, after a Specific Character Set", () => {
    const match = concatBytes([
      new Uint8Array([0x08, 0x00, 0x05, 0x00]),
      ascii("CS"),
      new Uint8Array([10, 0]),
      ascii("ISO_IR 100"),
      new Uint8Array([0x08, 0x00, 0x18, 0x00]),
      ascii("UI"),
      new Uint8Array([6, 0]),
      ascii("1.2.3 "),
    ]);
    expect(readSopInstanceUid(match, true)).toBe("1.2.3");
  });

  it("a match without the key, or cut short, has no UID", () => {
    const later = concatBytes([
      new Uint8Array([0x20, 0x00, 0x0d, 0x00]),
      ascii("UI"),
      new Uint8Array([2, 0]),
      ascii("12"),
    ]);
    expect(readSopInstanceUid(later, true)).toBeUndefined();
    expect(readSopInstanceUid(encodeImageQuery(query, true).subarray(0, 12), true)).toBeUndefined();
    expect(readSopInstanceUid(new Uint8Array(0), false)).toBeUndefined();
  });
});
