// Runs dicom-parser over the first bytes of a file, whatever its layout: Part 10 (preamble +
// "DICM"), a file meta group without the preamble, or a bare data set with no meta at all (old
// ACR-NEMA style, either byte order). Parsing stops before the pixel data. It reports what it read
// and whether it ran out of bytes; read-header.ts decides what that means.
import * as dicomParserModule from "dicom-parser";
import type { DataSet } from "dicom-parser";
import { Inflate } from "fflate";

// dicom-parser is a UMD bundle: Node's ESM loader (unit tests) exposes it only as `default`,
// while its typings declare named exports. Take the default when there is one.
type DicomParser = typeof dicomParserModule;
const dicomParser: DicomParser =
  (dicomParserModule as DicomParser & { default?: DicomParser }).default ?? dicomParserModule;

export const IMPLICIT_LE = "1.2.840.10008.1.2";
export const EXPLICIT_LE = "1.2.840.10008.1.2.1";
export const EXPLICIT_BE = "1.2.840.10008.1.2.2";
export const DEFLATED_LE = "1.2.840.10008.1.2.1.99";
export const PIXEL_DATA = "x7fe00010";

/** Inflated bytes kept from a deflated data set: a header needs far less; stops a deflate bomb. */
const INFLATED_CAP_BYTES = 8 * 1024 * 1024;
const INFLATE_STEP_BYTES = 16 * 1024;

export type Layout =
  | { kind: "part10" }
  | { kind: "meta-without-preamble" }
  | { kind: "bare"; transferSyntaxUid: string };

const VRS = new Set(
  "AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV".split(
    " ",
  ),
);

function hasVrAt(bytes: Uint8Array, at: number): boolean {
  return at + 2 <= bytes.length && VRS.has(String.fromCharCode(bytes[at]!, bytes[at + 1]!));
}

export function hasPart10Prefix(bytes: Uint8Array): boolean {
  // "DICM" at offset 128, after the preamble.
  return (
    bytes.length >= 132 &&
    bytes[128] === 0x44 &&
    bytes[129] === 0x49 &&
    bytes[130] === 0x43 &&
    bytes[131] === 0x4d
  );
}

/**
 * How the file starts, from its first bytes; null when it does not look like DICOM at all. A bare
 * data set is recognised by a low even group number as its first tag (0008 in practice), in
 * either byte order, followed by a VR (explicit) or a plausible 4-byte length (implicit).
 */
export function detectLayout(bytes: Uint8Array): Layout | null {
  if (hasPart10Prefix(bytes)) return { kind: "part10" };
  if (bytes.length < 12) return null;
  if (bytes[0] === 0x02 && bytes[1] === 0x00 && bytes[3] === 0x00 && hasVrAt(bytes, 4)) {
    return { kind: "meta-without-preamble" };
  }
  const plausible = (group: number) => group >= 0x0002 && group <= 0x0010 && group % 2 === 0;
  const littleGroup = bytes[0]! | (bytes[1]! << 8);
  const bigGroup = (bytes[0]! << 8) | bytes[1]!;
  const explicit = hasVrAt(bytes, 4);
  if (plausible(littleGroup)) {
    if (explicit) return { kind: "bare", transferSyntaxUid: EXPLICIT_LE };
    const length = new DataView(bytes.buffer, bytes.byteOffset + 4, 4).getUint32(0, true);
    return length < 0x10000 ? { kind: "bare", transferSyntaxUid: IMPLICIT_LE } : null;
  }
  if (plausible(bigGroup) && explicit) return { kind: "bare", transferSyntaxUid: EXPLICIT_BE };
  return null;
}

/** The file meta group (0002,xxxx) alone, or undefined for a bare data set or unreadable bytes. */
export function readMetaGroup(bytes: Uint8Array, layout: Layout): DataSet | undefined {
  if (layout.kind === "bare") return undefined;
  const buffer = layout.kind === "part10" ? bytes : withSyntheticPreamble(bytes);
  try {
    return dicomParser.readPart10Header(buffer.subarray(0, metaGroupEnd(buffer)));
  } catch {
    return undefined;
  }
}

/**
 * Where the meta group ends by its group length (0002,0000), so that elements of a low group
 * right after it (0001,xxxx, seen in the wild) are not read as meta; the buffer's end without it.
 */
function metaGroupEnd(buffer: Uint8Array): number {
  const at = 132; // (0002,0000) UL, length 4, then the value
  const isGroupLength =
    buffer.length >= at + 12 &&
    [0x02, 0x00, 0x00, 0x00, 0x55, 0x4c, 0x04, 0x00].every((b, i) => buffer[at + i] === b);
  if (!isGroupLength) return buffer.length;
  const length = new DataView(buffer.buffer, buffer.byteOffset + at + 8, 4).getUint32(0, true);
  return Math.min(buffer.length, at + 12 + length);
}

function withSyntheticPreamble(bytes: Uint8Array): Uint8Array {
  return concat([new Uint8Array(128), new TextEncoder().encode("DICM"), bytes]);
}

export interface ParsedDataSet {
  meta: DataSet | undefined;
  /** What was read of the data set (meta elements included when the parse completed). */
  dataSet: DataSet | undefined;
  /** dicom-parser stopped with an error: out of bytes, or bytes that are not a data set. */
  failed: boolean;
  /** For a deflated data set: whether its compressed stream ended within the bytes given. */
  inflated: "not-deflated" | "complete" | "cut" | "partial";
  /** The transfer syntax the data set was read with; "" when it could not be read at all. */
  transferSyntaxUid: string;
  /** Add to an element's dataOffset to get its offset in the file. */
  fileOffset: number;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * Inflates what it can of a deflated data set. fflate's streaming Inflate, unlike inflateSync,
 * yields the output of a stream prefix, so the first slice of a deflated file is enough.
 */
function inflateFrom(bytes: Uint8Array, position: number, wholeFile: boolean) {
  const parts: Uint8Array[] = [bytes.subarray(0, position)];
  let total = position;
  const inflate = new Inflate((chunk) => {
    parts.push(chunk);
    total += chunk.length;
  });
  let state: ParsedDataSet["inflated"] = "partial";
  try {
    for (let at = position; at < bytes.length && total < INFLATED_CAP_BYTES;) {
      inflate.push(bytes.subarray(at, (at += INFLATE_STEP_BYTES)), false);
    }
    if (wholeFile && total < INFLATED_CAP_BYTES) {
      inflate.push(new Uint8Array(0), true); // throws when the stream ends early
      state = "complete";
    }
  } catch {
    if (wholeFile) state = "cut";
  }
  return { bytes: concat(parts), state };
}

function isDataSet(value: unknown): value is DataSet {
  return typeof value === "object" && value !== null && "elements" in value && "byteArray" in value;
}

function partialDataSet(error: unknown): DataSet | undefined {
  if (typeof error !== "object" || error === null || !("dataSet" in error)) return undefined;
  return isDataSet(error.dataSet) ? error.dataSet : undefined;
}

type Run = Pick<ParsedDataSet, "dataSet" | "failed" | "inflated">;

/** Runs dicom-parser; `bareSyntax` for bytes without a meta group. */
function run(buffer: Uint8Array, bareSyntax: string | undefined, wholeFile: boolean): Run {
  const result: Run = { dataSet: undefined, failed: true, inflated: "not-deflated" };
  const options = {
    untilTag: PIXEL_DATA,
    ...(bareSyntax ? { TransferSyntaxUID: bareSyntax } : {}),
    inflater: (array: Uint8Array, position: number) => {
      const inflated = inflateFrom(array, position, wholeFile);
      result.inflated = inflated.state;
      return inflated.bytes;
    },
  };
  try {
    result.dataSet = dicomParser.parseDicom(buffer, options);
    result.failed = false;
  } catch (error) {
    result.dataSet = partialDataSet(error); // dicom-parser hands back what it read before the error
  }
  return result;
}

/** Where the file meta group ends: after its last element. */
function metaEnd(meta: DataSet): number {
  return Math.max(0, ...Object.values(meta.elements).map((e) => e.dataOffset + e.length));
}

/** Parses as much of the data set as `bytes` holds, stopping before the pixel data. */
export function parseDataSet(bytes: Uint8Array, layout: Layout, wholeFile: boolean): ParsedDataSet {
  if (layout.kind === "bare") {
    const bare = run(bytes, layout.transferSyntaxUid, wholeFile);
    return { ...bare, meta: undefined, transferSyntaxUid: layout.transferSyntaxUid, fileOffset: 0 };
  }
  const prefix = layout.kind === "meta-without-preamble" ? 132 : 0;
  const buffer = prefix ? withSyntheticPreamble(bytes) : bytes;
  const meta = readMetaGroup(bytes, layout);
  const none: Run = { dataSet: undefined, failed: true, inflated: "not-deflated" };
  if (!meta) return { ...none, meta, transferSyntaxUid: "", fileOffset: -prefix };
  const syntax = meta.string("x00020010")?.replace(/\0/g, "").trim() ?? "";
  if (syntax)
    return {
      ...run(buffer, undefined, wholeFile),
      meta,
      transferSyntaxUid: syntax,
      fileOffset: -prefix,
    };
  // A meta group without a transfer syntax: read the data set after it as a bare one, as dcmtk
  // does (Implicit VR Little Endian unless its first bytes show otherwise).
  const start = metaEnd(meta);
  const rest = buffer.subarray(start);
  const guess = detectLayout(rest);
  const restSyntax = guess?.kind === "bare" ? guess.transferSyntaxUid : IMPLICIT_LE;
  return {
    ...run(rest, restSyntax, wholeFile),
    meta,
    transferSyntaxUid: restSyntax,
    fileOffset: start - prefix,
  };
}
