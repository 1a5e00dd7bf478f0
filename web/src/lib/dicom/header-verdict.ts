// Decides from the first bytes of a file whether it is a readable DICOM object, a DICOMDIR, a
// damaged file or not DICOM at all, reading more of the file only while the header needs it (the
// first 16 KiB, growing up to 16 MiB). It never reads the pixel data and never validates the
// object against its IOD: the PACS does that.
import type { DataSet, Element } from "dicom-parser";
import { DEFLATED_LE, PIXEL_DATA, detectLayout, parseDataSet } from "./data-set";
import { headerFrom, type DicomHeader } from "./read-header";

/** Enough for nearly every header; each read of a picked file costs a round trip in the browser,
 * and a smaller first slice makes a 1,000-file scan measurably faster (web/scripts/bench-intake). */
export const FIRST_SLICE_BYTES = 16 * 1024;
export const HEADER_CAP_BYTES = 16 * 1024 * 1024;
export const DICOMDIR_SOP_CLASS = "1.2.840.10008.1.3.10";

/** Bytes [start, end) of a file. */
export type RangeReader = (start: number, end: number) => Promise<Uint8Array>;

export type HeaderVerdict =
  | { kind: "dicom"; header: DicomHeader; isDicomdir: boolean }
  | { kind: "not-dicom" }
  /** "cut-short": the file ends before its header or pixel data does; "unreadable": bad meta. */
  | { kind: "damaged"; problem: "cut-short" | "unreadable" };

/** The last field we read is Number of Frames (0028,0008): past it, the header has all we need. */
const LAST_FIELD = "x00280008";
const ROWS = "x00280010";

function lastTag(dataSet: DataSet | undefined): string {
  return Object.keys(dataSet?.elements ?? {}).reduce((max, tag) => (tag > max ? tag : max), "");
}

/** dicom-parser seeks past the end of a cut value without complaint: check for that ourselves. */
function overruns(dataSet: DataSet | undefined): boolean {
  if (!dataSet) return false;
  return Object.values(dataSet.elements).some(
    (element) =>
      element.tag !== PIXEL_DATA &&
      !element.hadUndefinedLength &&
      element.dataOffset + element.length > dataSet.byteArray.length,
  );
}

/**
 * Judges `bytes`, the start of a file of `size` bytes. "need-more" asks for a longer slice;
 * with `final` (no more bytes will come) it judges on what it has instead.
 */
export function judgeHeader(
  bytes: Uint8Array,
  size: number,
  final = false,
): HeaderVerdict | "need-more" {
  const layout = detectLayout(bytes);
  if (!layout) return { kind: "not-dicom" };
  const wholeFile = bytes.length >= size;
  const parsed = parseDataSet(bytes, layout, wholeFile);
  const header = headerFrom(parsed, layout);
  if (!header) return { kind: "not-dicom" };
  if (!header.transferSyntaxUid) return { kind: "damaged", problem: "unreadable" };
  const dicom = {
    kind: "dicom",
    header,
    isDicomdir: header.sopClassUid === DICOMDIR_SOP_CLASS,
  } as const;
  if (dicom.isDicomdir) return dicom; // the meta group says it all; its records are read apart
  const ds = parsed.dataSet;
  const pixel = ds?.elements[PIXEL_DATA];
  const broke = parsed.failed || overruns(ds);
  if (pixel && !broke) {
    const cut = parsed.inflated === "cut" || pixelDataCut(pixel, parsed.fileOffset, header, size);
    return cut ? { kind: "damaged", problem: "cut-short" } : dicom;
  }
  if (!wholeFile) return !final && (broke || lastTag(ds) <= LAST_FIELD) ? "need-more" : dicom;
  if (broke || parsed.inflated === "cut") {
    // A bare data set that fails to parse whole was most likely never DICOM.
    return layout.kind === "bare" && !header.sopInstanceUid
      ? { kind: "not-dicom" }
      : { kind: "damaged", problem: "cut-short" };
  }
  return endsBeforePixelData(ds) ? { kind: "damaged", problem: "cut-short" } : dicom;
}

function pixelDataCut(
  pixel: Element,
  fileOffset: number,
  header: DicomHeader,
  size: number,
): boolean {
  // Offsets in a deflated data set count inflated bytes; an undefined length has no end to check.
  if (header.transferSyntaxUid === DEFLATED_LE || pixel.hadUndefinedLength) return false;
  return pixel.dataOffset + fileOffset + pixel.length > size;
}

/** An image's pixel description (group 0028, with Rows) comes right before its pixel data. */
function endsBeforePixelData(dataSet: DataSet | undefined): boolean {
  return lastTag(dataSet).startsWith("x0028") && dataSet?.elements[ROWS] !== undefined;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Reads the header of a file of `size` bytes through `read`, growing the slice (x4) only while the
 * header is longer. `first` may hand over bytes already read from the start of the file.
 * Rejects only when `read` rejects: a storage error is no verdict on the file.
 */
export async function readDicomHeader(
  read: RangeReader,
  size: number,
  first?: Uint8Array,
): Promise<HeaderVerdict> {
  if (!(size > 0)) return { kind: "not-dicom" };
  const limit = Math.min(size, HEADER_CAP_BYTES);
  let bytes = first ?? new Uint8Array(0);
  let want = Math.min(limit, Math.max(bytes.length, FIRST_SLICE_BYTES));
  for (;;) {
    if (bytes.length < want) {
      const more = await read(bytes.length, want);
      // The storage holds less than the file's size: the file was cut while copied.
      if (more.length < want - bytes.length) return { kind: "damaged", problem: "cut-short" };
      bytes = bytes.length === 0 ? more : concat(bytes, more);
    }
    const verdict = judgeHeader(bytes, size, bytes.length >= limit);
    if (verdict !== "need-more") return verdict;
    want = Math.min(limit, bytes.length * 4);
  }
}
