// The bytes of synthetic DICOM Part 10 files (explicit VR little endian), shared by the generators
// of made-up studies: the benchmarks (scripts/bench/synthetic-study.mjs,
// web/scripts/bench-intake.mjs) and the offline queue's browser tests (tests/support/stack.ts).
// Each generator keeps its own list of elements (what its figures or checks depend on); the
// encoding and the file meta information are here. Node only (Buffer): the gauntlet's
// tests/gauntlet/dicom-craft.ts also runs inside workerd and keeps its own Uint8Array version.
import { randomBytes } from "node:crypto";

export const CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2";
export const EXPLICIT_VR_LE = "1.2.840.10008.1.2.1";
// Our own implementation class UID, derived once from a fixed UUID (2.25 form: no registered root).
export const IMPLEMENTATION_UID = "2.25.261545230548451329186930429316342447081";
/** VRs whose length field is 4 bytes after 2 reserved bytes (PS3.5 7.1.2). */
const LONG_VRS = new Set(["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "UC", "UN", "UR", "UT"]);

/** A fresh UID under 2.25 (PS3.5 B.2: a UUID as one decimal integer). */
export function newUid() {
  return `2.25.${BigInt(`0x${randomBytes(16).toString("hex")}`).toString(10)}`;
}

/** An element's tag, VR and length, without its value (the pixel data's, written after it). */
export function elementHeader(group, elem, vr, length) {
  const long = LONG_VRS.has(vr);
  const head = Buffer.alloc(long ? 12 : 8);
  head.writeUInt16LE(group, 0);
  head.writeUInt16LE(elem, 2);
  head.write(vr, 4, "latin1");
  if (long) head.writeUInt32LE(length, 8);
  else head.writeUInt16LE(length, 6);
  return head;
}

/** A whole element: a number as US (or UL), a string as latin1, padded to even length. */
export function element(group, elem, vr, value) {
  let data;
  if (Buffer.isBuffer(value)) data = value;
  else if (typeof value === "number")
    data = Buffer.from((vr === "UL" ? Uint32Array.of(value) : Uint16Array.of(value)).buffer);
  else data = Buffer.from(value, "latin1");
  if (data.length % 2 === 1) data = Buffer.concat([data, Buffer.from([vr === "UI" ? 0 : 0x20])]);
  return Buffer.concat([elementHeader(group, elem, vr, data.length), data]);
}

/**
 * The 128-byte preamble, "DICM" and the file meta information group of an explicit VR little
 * endian file; the data set follows it. `versionName` adds (0002,0013) when given.
 */
export function filePreamble({ sopClassUid = CT_IMAGE_STORAGE, sopUid, versionName }) {
  const meta = Buffer.concat([
    element(0x0002, 0x0001, "OB", Buffer.from([0, 1])),
    element(0x0002, 0x0002, "UI", sopClassUid),
    element(0x0002, 0x0003, "UI", sopUid),
    element(0x0002, 0x0010, "UI", EXPLICIT_VR_LE),
    element(0x0002, 0x0012, "UI", IMPLEMENTATION_UID),
    ...(versionName === undefined ? [] : [element(0x0002, 0x0013, "SH", versionName)]),
  ]);
  return Buffer.concat([
    Buffer.alloc(128),
    Buffer.from("DICM", "latin1"),
    element(0x0002, 0x0000, "UL", meta.length),
    meta,
  ]);
}
