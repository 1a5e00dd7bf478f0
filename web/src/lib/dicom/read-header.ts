// Reads the few header fields the upload screen shows (patient, study date, modality) from the
// start of a DICOM file. Only the first slice of the file is read and parsing stops before the
// pixel data. `parseHeader` is pure (bytes in, fields out) so it can move into a Web Worker.
import * as dicomParserModule from "dicom-parser";
import type { DataSet } from "dicom-parser";
import { decoderFor, type TextDecodeFn } from "./charset";

// dicom-parser is a UMD bundle: Node's ESM loader (unit tests) exposes it only as `default`,
// while its typings declare named exports. Take the default when there is one.
type DicomParser = typeof dicomParserModule;
const dicomParser: DicomParser =
  (dicomParserModule as DicomParser & { default?: DicomParser }).default ?? dicomParserModule;

export const HEADER_SLICE_BYTES = 256 * 1024;
const PIXEL_DATA = "x7fe00010";
const EXPLICIT_VR_LE = "1.2.840.10008.1.2.1";
const IMPLICIT_VR_LE = "1.2.840.10008.1.2";

export interface DicomHeader {
  /** Person Name as written, decoded: "Family^Given^Middle^Prefix^Suffix[=ideographic=phonetic]". */
  patientName: string;
  patientId: string;
  /** "YYYY-MM-DD", or "" when absent or unreadable. */
  studyDate: string;
  modality: string;
  studyDescription: string;
  studyInstanceUid: string;
}

export type HeaderResult = { kind: "dicom"; header: DicomHeader } | { kind: "not-dicom" };

/** Reads and parses the first slice of a file. */
export async function readHeader(
  file: Pick<Blob, "slice">,
  sliceBytes = HEADER_SLICE_BYTES,
): Promise<HeaderResult> {
  const bytes = new Uint8Array(await file.slice(0, sliceBytes).arrayBuffer());
  return parseHeader(bytes);
}

/** Parses the header fields from the first bytes of a file (which may cut the file short). */
export function parseHeader(bytes: Uint8Array): HeaderResult {
  const part10 = hasPart10Prefix(bytes);
  const dataSet = part10 ? tryParse(bytes) : tryParseBare(bytes);
  if (!dataSet) return { kind: "not-dicom" };
  const text = decoderFor(ascii(dataSet, "x00080005"));
  const header: DicomHeader = {
    patientName: decoded(dataSet, "x00100010", text),
    patientId: decoded(dataSet, "x00100020", text),
    studyDate: normaliseDate(ascii(dataSet, "x00080020")),
    modality: ascii(dataSet, "x00080060"),
    studyDescription: decoded(dataSet, "x00081030", text),
    studyInstanceUid: ascii(dataSet, "x0020000d"),
  };
  // Without the "DICM" marker, only accept bytes that parsed into recognisable DICOM fields.
  if (!part10 && !(header.studyInstanceUid || ascii(dataSet, "x00080016")))
    return { kind: "not-dicom" };
  return { kind: "dicom", header };
}

function hasPart10Prefix(bytes: Uint8Array): boolean {
  // "DICM" at offset 128, after the preamble.
  return (
    bytes.length >= 132 &&
    bytes[128] === 0x44 &&
    bytes[129] === 0x49 &&
    bytes[130] === 0x43 &&
    bytes[131] === 0x4d
  );
}

function tryParse(bytes: Uint8Array, transferSyntax?: string): DataSet | null {
  try {
    return dicomParser.parseDicom(bytes, {
      untilTag: PIXEL_DATA,
      ...(transferSyntax ? { TransferSyntaxUID: transferSyntax } : {}),
    });
  } catch (error) {
    // A header cut off by the slice: dicom-parser hands back what it read before the cut.
    return partialDataSet(error);
  }
}

/** A data set written without preamble and file meta, as some older systems do. */
function tryParseBare(bytes: Uint8Array): DataSet | null {
  if (bytes.length < 8) return null;
  // Such a file starts with a low group number, little endian: (0002,xxxx) or (0008,xxxx).
  const group = bytes[0]! | (bytes[1]! << 8);
  if (group !== 0x0002 && group !== 0x0008) return null;
  const vr = String.fromCharCode(bytes[4]!, bytes[5]!);
  return tryParse(bytes, /^[A-Z]{2}$/.test(vr) ? EXPLICIT_VR_LE : IMPLICIT_VR_LE);
}

function partialDataSet(error: unknown): DataSet | null {
  if (typeof error === "object" && error !== null && "dataSet" in error) {
    const { dataSet } = error as { dataSet?: DataSet };
    return dataSet && Object.keys(dataSet.elements).length > 0 ? dataSet : null;
  }
  return null;
}

/** The value bytes of an element, or null when absent or cut off by the slice. */
function valueBytes(dataSet: DataSet, tag: string): Uint8Array | null {
  const element = dataSet.elements[tag];
  if (!element || element.length <= 0) return null;
  const end = element.dataOffset + element.length;
  if (end > dataSet.byteArray.length) return null;
  return dataSet.byteArray.subarray(element.dataOffset, end);
}

function decoded(dataSet: DataSet, tag: string, text: TextDecodeFn): string {
  const bytes = valueBytes(dataSet, tag);
  return bytes ? trimValue(text(bytes)) : "";
}

const latin1 = decoderFor("ISO_IR 100");

function ascii(dataSet: DataSet, tag: string): string {
  return decoded(dataSet, tag, latin1);
}

function trimValue(value: string): string {
  // Values are padded to even length with a space (or NUL for UIDs).
  return value.replace(/[\0 ]+$/, "").trim();
}

/** DA is "YYYYMMDD"; old ACR-NEMA files write "YYYY.MM.DD". */
function normaliseDate(value: string): string {
  const match = /^(\d{4})\.?(\d{2})\.?(\d{2})$/.exec(value);
  return match ? `${match[1]}-${match[2]}-${match[3]}` : "";
}
