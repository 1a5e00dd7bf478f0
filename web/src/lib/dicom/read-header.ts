// Reads the header fields the app needs (who, which study/series/instance, how many images) from
// the first bytes of a DICOM file, decoded in the file's character set. Parsing stops before the
// pixel data. Pure (bytes in, fields out), so it runs in the page, a worker or Node tests alike.
// Whether a file is damaged, and reading more bytes when needed, is header-verdict.ts.
import type { DataSet } from "dicom-parser";
import { decoderFor, type TextDecodeFn } from "./charset";
import { detectLayout, parseDataSet, type Layout, type ParsedDataSet } from "./data-set";

export const HEADER_SLICE_BYTES = 256 * 1024;

export interface DicomHeader {
  /** Person Name as written, decoded: "Family^Given^Middle^Prefix^Suffix[=ideographic=phonetic]". */
  patientName: string;
  patientId: string;
  /** "YYYY-MM-DD", or "" when absent or unreadable. */
  studyDate: string;
  modality: string;
  studyDescription: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  seriesDescription: string;
  seriesNumber?: number | undefined;
  /** SOP Class UID (0008,0016), else Media Storage SOP Class UID from the file meta. */
  sopClassUid: string;
  /** SOP Instance UID (0008,0018), else Media Storage SOP Instance UID from the file meta. */
  sopInstanceUid: string;
  transferSyntaxUid: string;
  instanceNumber?: number | undefined;
  numberOfFrames?: number | undefined;
  acquisitionNumber?: number | undefined;
  /** Images in Acquisition (0020,1002), where the writer filled it in. */
  imagesInAcquisition?: number | undefined;
  /** Number of Series Related Instances (0020,1209), where the writer filled it in. */
  seriesRelatedInstances?: number | undefined;
  // Copied into the objects the app adds to a study (clinical-impression SR, photos) so that
  // they carry the study's own Patient and General Study attributes.
  /** "YYYY-MM-DD", or "" when absent or unreadable. */
  patientBirthDate?: string | undefined;
  patientSex?: string | undefined;
  /** TM as written ("HHMMSS.ffffff"), or "". */
  studyTime?: string | undefined;
  accessionNumber?: string | undefined;
  referringPhysicianName?: string | undefined;
  studyId?: string | undefined;
}

export type HeaderResult = { kind: "dicom"; header: DicomHeader } | { kind: "not-dicom" };

/** Reads and parses the first slice of a file (a header longer than the slice is cut short). */
export async function readHeader(
  file: Pick<Blob, "slice">,
  sliceBytes = HEADER_SLICE_BYTES,
): Promise<HeaderResult> {
  const bytes = new Uint8Array(await file.slice(0, sliceBytes).arrayBuffer());
  return parseHeader(bytes);
}

/** Parses the header fields from the first bytes of a file (which may cut the file short). */
export function parseHeader(bytes: Uint8Array): HeaderResult {
  const layout = detectLayout(bytes);
  if (!layout) return { kind: "not-dicom" };
  const header = headerFrom(parseDataSet(bytes, layout, false), layout);
  return header ? { kind: "dicom", header } : { kind: "not-dicom" };
}

/**
 * The fields of a parsed data set, or null when it is not DICOM after all: bytes that only
 * looked like a bare data set, with neither a SOP class nor a study identifier.
 */
export function headerFrom(parsed: ParsedDataSet, layout: Layout): DicomHeader | null {
  const ds = parsed.dataSet;
  const meta = parsed.meta;
  if (!ds && !meta) return null;
  const text = decoderFor(ascii(ds, "x00080005"));
  const header: DicomHeader = {
    patientName: decoded(ds, "x00100010", text),
    patientId: decoded(ds, "x00100020", text),
    studyDate: normaliseDate(ascii(ds, "x00080020")),
    modality: ascii(ds, "x00080060"),
    studyDescription: decoded(ds, "x00081030", text),
    studyInstanceUid: ascii(ds, "x0020000d"),
    seriesInstanceUid: ascii(ds, "x0020000e"),
    seriesDescription: decoded(ds, "x0008103e", text),
    seriesNumber: integer(ds, "x00200011"),
    sopClassUid: ascii(ds, "x00080016") || ascii(meta, "x00020002"),
    sopInstanceUid: ascii(ds, "x00080018") || ascii(meta, "x00020003"),
    transferSyntaxUid: parsed.transferSyntaxUid,
    instanceNumber: integer(ds, "x00200013"),
    numberOfFrames: integer(ds, "x00280008"),
    acquisitionNumber: integer(ds, "x00200012"),
    imagesInAcquisition: integer(ds, "x00201002"),
    seriesRelatedInstances: integer(ds, "x00201209"),
    patientBirthDate: normaliseDate(ascii(ds, "x00100030")),
    patientSex: ascii(ds, "x00100040"),
    studyTime: ascii(ds, "x00080030"),
    accessionNumber: decoded(ds, "x00080050", text),
    referringPhysicianName: decoded(ds, "x00080090", text),
    studyId: decoded(ds, "x00200010", text),
  };
  if (layout.kind === "bare" && !header.sopClassUid && !header.studyInstanceUid) return null;
  return header;
}

/** The value bytes of an element, or null when absent or cut off by the slice. */
function valueBytes(dataSet: DataSet | undefined, tag: string): Uint8Array | null {
  const element = dataSet?.elements[tag];
  if (!dataSet || !element || element.length <= 0) return null;
  const end = element.dataOffset + element.length;
  if (end > dataSet.byteArray.length) return null;
  return dataSet.byteArray.subarray(element.dataOffset, end);
}

function decoded(dataSet: DataSet | undefined, tag: string, text: TextDecodeFn): string {
  const bytes = valueBytes(dataSet, tag);
  return bytes ? trimValue(text(bytes)) : "";
}

const latin1 = decoderFor("ISO_IR 100");

function ascii(dataSet: DataSet | undefined, tag: string): string {
  return decoded(dataSet, tag, latin1);
}

/** IS values are text ("  12 "); the first value of a multi-valued one. */
function integer(dataSet: DataSet | undefined, tag: string): number | undefined {
  const first = ascii(dataSet, tag).split("\\")[0]?.trim() ?? "";
  if (!/^[+-]?\d+$/.test(first)) return undefined;
  return Number.parseInt(first, 10);
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
