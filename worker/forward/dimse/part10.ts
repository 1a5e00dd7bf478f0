// Reads, from the first bytes of a stored file, what C-STORE needs before sending it: SOP Class
// UID, SOP Instance UID, transfer syntax, and where the data set starts (after the 128-byte
// preamble, "DICM" and the group 0002 file meta, which never go on the wire: PS3.10 7.1). Files
// UIDs come from the data set's (0008,0016)/(0008,0018), the file meta's copy being the fallback;
// files without a file meta (a bare data set) are sent whole.
// It does not validate the object; the PACS does.
import { asciiText, readU16, readU32 } from "./bytes";

export const IMPLICIT_VR_LE = "1.2.840.10008.1.2";
export const EXPLICIT_VR_LE = "1.2.840.10008.1.2.1";
export const EXPLICIT_VR_BE = "1.2.840.10008.1.2.2";
const DEFLATED = "1.2.840.10008.1.2.1.99";

export interface InstanceInfo {
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  /** Byte offset of the data set in the file; everything before it is preamble and file meta. */
  dataSetOffset: number;
}

export type InfoProblem = "not_dicom" | "missing_uids" | "missing_transfer_syntax";
export type InfoResult =
  | { kind: "need_more" }
  | { kind: "ok"; info: InstanceInfo }
  | { kind: "invalid"; problem: InfoProblem };

const LONG_VRS = new Set([
  "OB",
  "OD",
  "OF",
  "OL",
  "OV",
  "OW",
  "SQ",
  "SV",
  "UC",
  "UN",
  "UR",
  "UT",
  "UV",
]);
const SOP_CLASS = 0x00080016;
const SOP_INSTANCE = 0x00080018;
/** The SOP UIDs come first in any data set; past this, give up and use the file meta's copy. */
const SCAN_LIMIT_BYTES = 64 * 1024;

interface Element {
  tag: number;
  value: Uint8Array;
  end: number;
}
type Step = Element | "need_more" | "stop";

function isVr(b: Uint8Array, at: number): boolean {
  const a = b[at] ?? 0;
  const c = b[at + 1] ?? 0;
  return a >= 0x41 && a <= 0x5a && c >= 0x41 && c <= 0x5a;
}

/** One element at `at`; "need_more" when the prefix ends inside it, "stop" on undefined length. */
function readElement(b: Uint8Array, at: number, explicit: boolean, le: boolean): Step {
  if (at + 8 > b.length) return "need_more";
  const tag = ((readU16(b, at, le) << 16) | readU16(b, at + 2, le)) >>> 0;
  let start = at + 8;
  let length = readU32(b, at + 4, le);
  if (explicit) {
    const vr = String.fromCharCode(b[at + 4] ?? 0, b[at + 5] ?? 0);
    if (LONG_VRS.has(vr)) {
      if (at + 12 > b.length) return "need_more";
      length = readU32(b, at + 8, le);
      start = at + 12;
    } else {
      length = readU16(b, at + 6, le);
    }
  }
  if (length === 0xffffffff) return "stop";
  if (start + length > b.length) return "need_more";
  return { tag, value: b.subarray(start, start + length), end: start + length };
}

type Scan = { kind: "done"; sopClassUid: string; sopInstanceUid: string } | { kind: "need_more" };

/** (0008,0016) and (0008,0018) of the data set starting at `at`, as far as they can be found. */
function scanDataSet(b: Uint8Array, start: number, layout: Layout, fileSize: number): Scan {
  const found = new Map<number, string>();
  let at = start;
  while (!found.has(SOP_INSTANCE)) {
    const step = readElement(b, at, layout.explicit, layout.le);
    const more = b.length < fileSize && b.length < start + SCAN_LIMIT_BYTES;
    if (step === "need_more" && more) return { kind: "need_more" };
    if (step === "need_more" || step === "stop" || step.tag > SOP_INSTANCE) break;
    found.set(step.tag, asciiText(step.value));
    at = step.end;
  }
  return {
    kind: "done",
    sopClassUid: found.get(SOP_CLASS) ?? "",
    sopInstanceUid: found.get(SOP_INSTANCE) ?? "",
  };
}

interface Layout {
  le: boolean;
  explicit: boolean;
}

/** How the data set after a file meta is encoded; null when it cannot be scanned (deflated). */
function layoutOf(transferSyntaxUid: string): Layout | null {
  if (transferSyntaxUid === DEFLATED) return null;
  if (transferSyntaxUid === IMPLICIT_VR_LE) return { le: true, explicit: false };
  if (transferSyntaxUid === EXPLICIT_VR_BE) return { le: false, explicit: true };
  return { le: true, explicit: true }; // every other syntax, encapsulated ones included
}

function fromMeta(b: Uint8Array, metaStart: number, fileSize: number): InfoResult {
  const found = new Map<number, string>();
  let at = metaStart;
  for (;;) {
    if (at + 2 > b.length) return b.length >= fileSize ? invalid("not_dicom") : more();
    if (readU16(b, at, true) !== 0x0002) break;
    const step = readElement(b, at, true, true);
    if (step === "stop") return invalid("not_dicom");
    if (step === "need_more") return b.length >= fileSize ? invalid("not_dicom") : more();
    found.set(step.tag, asciiText(step.value));
    at = step.end;
  }
  const transferSyntaxUid = found.get(0x00020010) ?? "";
  if (!transferSyntaxUid) return invalid("missing_transfer_syntax");
  // The data set's own UIDs are what the PACS checks the request against; the file meta's copy
  // is only the fallback (some writers let the two disagree).
  const layout = layoutOf(transferSyntaxUid);
  const scan = layout ? scanDataSet(b, at, layout, fileSize) : undefined;
  if (scan?.kind === "need_more") return more();
  const sopClassUid = scan?.sopClassUid || (found.get(0x00020002) ?? "");
  const sopInstanceUid = scan?.sopInstanceUid || (found.get(0x00020003) ?? "");
  if (!sopClassUid || !sopInstanceUid) return invalid("missing_uids");
  return {
    kind: "ok",
    info: { sopClassUid, sopInstanceUid, transferSyntaxUid, dataSetOffset: at },
  };
}

/** A bare data set starts with a low even group (0008 in practice); its byte order shows which. */
function bareLayout(b: Uint8Array): Layout | null {
  const plausible = (group: number) => group >= 0x0004 && group <= 0x0010 && group % 2 === 0;
  const le = plausible(readU16(b, 0, true));
  if (!le && !plausible(readU16(b, 0, false))) return null;
  return { le, explicit: isVr(b, 4) };
}

function fromBareDataSet(b: Uint8Array, fileSize: number): InfoResult {
  if (b.length < 8) return b.length >= fileSize ? invalid("not_dicom") : more();
  const layout = bareLayout(b);
  if (!layout) return invalid("not_dicom");
  const scan = scanDataSet(b, 0, layout, fileSize);
  if (scan.kind === "need_more") return more();
  if (!scan.sopClassUid || !scan.sopInstanceUid) return invalid("missing_uids");
  const transferSyntaxUid = !layout.explicit
    ? IMPLICIT_VR_LE
    : layout.le
      ? EXPLICIT_VR_LE
      : EXPLICIT_VR_BE;
  const { sopClassUid, sopInstanceUid } = scan;
  return { kind: "ok", info: { sopClassUid, sopInstanceUid, transferSyntaxUid, dataSetOffset: 0 } };
}

const more = (): InfoResult => ({ kind: "need_more" });
const invalid = (problem: InfoProblem): InfoResult => ({ kind: "invalid", problem });

/**
 * What to send for a file of `fileSize` bytes whose first bytes are `prefix`. "need_more" asks
 * for a longer prefix; the caller bounds how long it grows.
 */
export function readInstanceInfo(prefix: Uint8Array, fileSize: number): InfoResult {
  if (prefix.length < 132 && prefix.length < fileSize) return more();
  if (asciiText(prefix.subarray(128, 132)) === "DICM") return fromMeta(prefix, 132, fileSize);
  // Some writers omit the preamble and "DICM" but keep the file meta (PS3.10 violation).
  if (readU16(prefix, 0, true) === 0x0002 && isVr(prefix, 4)) return fromMeta(prefix, 0, fileSize);
  return fromBareDataSet(prefix, fileSize);
}
