// Reads the identifying header of one DICOM file through a byte-range reader, never the whole file:
// the first 16 KiB, grown up to HEADER_CAP_BYTES only while the header is longer. It tells whether a
// file can go to the PACS at all; it does not validate the object against its IOD (the PACS does).
import dicomParser, { type DataSet, type Element } from "dicom-parser";
import { Inflate } from "fflate";

export type DicomHeader = {
  sopClassUid: string;
  sopInstanceUid: string;
  /** Empty for a DICOMDIR, which belongs to no study. */
  studyInstanceUid: string;
  seriesInstanceUid?: string;
  transferSyntaxUid: string;
  modality?: string;
  patientName?: string;
  patientId?: string;
  studyDate?: string;
  studyDescription?: string;
  instanceNumber?: number;
  isDicomdir: boolean;
  hasPreamble: boolean;
};
export type HeaderFailureCode = "not_dicom" | "truncated" | "missing_uids";
export type HeaderResult =
  { ok: true; header: DicomHeader } | { ok: false; code: HeaderFailureCode; message: string };
/** Bytes [start, end) of the file; `end` never exceeds the file size. */
export type RangeReader = (start: number, end: number) => Promise<Uint8Array>;

export const FIRST_SLICE_BYTES = 16 * 1024;
export const HEADER_CAP_BYTES = 4 * 1024 * 1024;
/** Inflated bytes kept from a deflated data set: bounds memory against a deflate bomb. */
const INFLATED_CAP_BYTES = 16 * 1024 * 1024;
const INFLATE_STEP = 16 * 1024;

const DICOMDIR_CLASS = "1.2.840.10008.1.3.10";
const IMPLICIT_LE = "1.2.840.10008.1.2";
const EXPLICIT_LE = "1.2.840.10008.1.2.1";
const EXPLICIT_BE = "1.2.840.10008.1.2.2";
const DEFLATED = "1.2.840.10008.1.2.1.99";
const PIXEL_DATA = "x7fe00010";
const PIXEL_VARIANTS = [PIXEL_DATA, "x7fe00008", "x7fe00009"]; // integer, float, double float
const DICM = new TextEncoder().encode("DICM");
const VRS = new Set(
  "AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV".split(
    " ",
  ),
);

const MESSAGES: Record<HeaderFailureCode, string> = {
  not_dicom:
    "This file is not a DICOM image, so it cannot be sent to the PACS. Check that you picked the right file.",
  truncated:
    "This file is incomplete or damaged: it ends before its image data does. Copy it again from the original CD, scanner or folder and upload the new copy.",
  missing_uids:
    "This DICOM file lacks the identifiers a PACS needs to file it (study or image ID). Export it again from the system that made it, or ask your PACS administrator.",
};
const fail = (code: HeaderFailureCode): HeaderResult => ({
  ok: false,
  code,
  message: MESSAGES[code],
});

/**
 * `prefix`: bytes of synthetic preamble + "DICM" placed before a meta header that came without one.
 * `rawSyntax`: the transfer syntax guessed for a bare data set (old ACR-NEMA style, no meta header).
 */
type Layout = { prefix: 0 | 132; rawSyntax?: string };

function isVr(b: Uint8Array, at: number): boolean {
  return b.length >= at + 2 && VRS.has(String.fromCharCode(b[at] ?? 0, b[at + 1] ?? 0));
}

function detectLayout(b: Uint8Array): Layout | null {
  if (b.length >= 132 && String.fromCharCode(...b.subarray(128, 132)) === "DICM")
    return { prefix: 0 };
  if (b[0] === 0x02 && b[1] === 0x00 && b[3] === 0x00 && isVr(b, 4)) return { prefix: 132 };
  if (b.length < 8) return null;
  // A bare data set starts with a low even group (0008 in practice); its byte order shows which.
  const plausible = (group: number) => group >= 0x0002 && group <= 0x0010 && group % 2 === 0;
  const le = plausible((b[0] ?? 0) | ((b[1] ?? 0) << 8));
  const be = !le && plausible(((b[0] ?? 0) << 8) | (b[1] ?? 0));
  if (!le && !be) return null;
  const explicit = isVr(b, 4);
  return { prefix: 0, rawSyntax: !explicit ? IMPLICIT_LE : be ? EXPLICIT_BE : EXPLICIT_LE };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Inflates what it can of a deflated data set. fflate's streaming Inflate, unlike inflateSync,
 * yields the output of a stream prefix, so the first slice of a deflated file is enough for its
 * header. Small steps stop a deflate bomb at INFLATED_CAP_BYTES. The stream is "cut" only when the
 * whole file was given and it ends early; "unknown" when we did not see (or inflate) all of it.
 */
function inflateTail(bytes: Uint8Array, position: number, wholeFile: boolean) {
  const out: Uint8Array[] = [bytes.subarray(0, position)];
  let total = position;
  let stream: StreamEnd = "unknown";
  const inflate = new Inflate((chunk) => {
    out.push(chunk);
    total += chunk.length;
  });
  try {
    for (let at = position; at < bytes.length && total < INFLATED_CAP_BYTES; at += INFLATE_STEP) {
      inflate.push(bytes.subarray(at, at + INFLATE_STEP), false);
    }
    if (wholeFile && total < INFLATED_CAP_BYTES) {
      inflate.push(new Uint8Array(0), true); // throws if the stream ended early
      stream = "complete";
    }
  } catch {
    if (wholeFile && total < INFLATED_CAP_BYTES) stream = "cut"; // keep what inflated
  }
  return { bytes: concat(out), stream };
}

type StreamEnd = "complete" | "cut" | "unknown";
type Attempt = {
  meta?: DataSet;
  data?: DataSet;
  pixel?: Element;
  failed: boolean;
  inflated?: StreamEnd;
};

function isDataSet(x: unknown): x is DataSet {
  return (
    typeof x === "object" &&
    x !== null &&
    "elements" in x &&
    "byteArray" in x &&
    x.byteArray instanceof Uint8Array
  );
}

/** dicom-parser seeks past the end of a cut value without complaint: look for that ourselves. */
function overruns(ds: DataSet): boolean {
  if (ds.warnings.some((w) => w.includes("eof"))) return true;
  return Object.values(ds.elements).some(
    (el) =>
      el.tag !== PIXEL_DATA &&
      !el.hadUndefinedLength &&
      el.dataOffset + el.length > ds.byteArray.length,
  );
}

function parse(buf: Uint8Array, layout: Layout, wholeFile: boolean): Attempt {
  const a: Attempt = { failed: true };
  const options = {
    untilTag: PIXEL_DATA,
    TransferSyntaxUID: layout.rawSyntax,
    inflater: (arr: Uint8Array, position: number) => {
      const r = inflateTail(arr, position, wholeFile);
      a.inflated = r.stream;
      return r.bytes;
    },
  };
  try {
    // Read the meta group on its own: on a parse error dicom-parser returns only the data set.
    if (!layout.rawSyntax) a.meta = dicomParser.readPart10Header(buf, options);
    const ds = dicomParser.parseDicom(buf, options);
    a.data = ds;
    a.pixel = ds.elements[PIXEL_DATA];
    a.failed = overruns(ds);
  } catch (e) {
    // dicom-parser throws strings, or { exception, dataSet } with the elements read before the error.
    const partial = typeof e === "object" && e !== null && "dataSet" in e ? e.dataSet : undefined;
    if (isDataSet(partial)) a.data = partial;
  }
  return a;
}

function bytesOf(ds: DataSet | undefined, tag: string): Uint8Array | undefined {
  const el = ds?.elements[tag];
  if (!ds || !el || el.hadUndefinedLength || el.dataOffset + el.length > ds.byteArray.length)
    return undefined;
  return ds.byteArray.subarray(el.dataOffset, el.dataOffset + el.length);
}

const tidy = (s: string) => s.replace(/^[\s\0]+|[\s\0]+$/g, "") || undefined;
const latin1 = (b: Uint8Array) => tidy(Array.from(b, (c) => String.fromCharCode(c)).join(""));
const str = (ds: DataSet | undefined, tag: string) => {
  const b = bytesOf(ds, tag);
  return b && latin1(b);
};

/** Specific Character Set (0008,0005) to a WHATWG label; ISO_IR 100 and 192 exact, others best effort. */
function charsetLabel(value: string): string | null {
  if (/IR[ _-]?192\b/.test(value)) return "utf-8";
  if (/IR[ _-]?87\b/.test(value)) return "iso-2022-jp";
  if (/GB18030|GBK/.test(value)) return "gb18030";
  const ir = Number(/IR[ _-]?(\d+)/.exec(value.split("\\").find((v) => v.trim()) ?? "")?.[1]);
  const byIr: Record<number, string> = {
    101: "iso-8859-2",
    109: "iso-8859-3",
    110: "iso-8859-4",
    144: "iso-8859-5",
    127: "iso-8859-6",
    126: "iso-8859-7",
    138: "iso-8859-8",
    148: "iso-8859-9",
    203: "iso-8859-15",
    13: "shift_jis",
    166: "windows-874",
    149: "euc-kr",
    58: "gb18030",
  };
  return byIr[ir] ?? null; // ISO_IR 6, ISO_IR 100 or unknown: Latin-1, decoded by hand (exact ISO 8859-1)
}

/** Drops ISO 2022 escape sequences: ESC, intermediate bytes 0x20-0x2F, one final byte. */
function stripEscapes(b: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < b.length; i++) {
    if (b[i] !== 0x1b) out.push(b[i] ?? 0);
    else {
      while ((b[i + 1] ?? 0) >= 0x20 && (b[i + 1] ?? 0) <= 0x2f) i++;
      i++;
    }
  }
  return Uint8Array.from(out);
}

function decodeText(b: Uint8Array | undefined, charset: string): string | undefined {
  if (!b) return undefined;
  const label = charsetLabel(charset);
  if (!label) return latin1(b);
  // ISO 2022 IR 149 and IR 58 designate their set into G1: without the escapes it is EUC.
  const body = label === "euc-kr" || label === "gb18030" ? stripEscapes(b) : b;
  try {
    return tidy(new TextDecoder(label).decode(body));
  } catch {
    return latin1(b); // the runtime lacks this legacy decoder
  }
}

function buildHeader(a: Attempt, layout: Layout): HeaderResult {
  const ds = a.data;
  const meta = a.meta ?? ds;
  const ascii = (tag: string, from = ds) => str(from, tag);
  const transferSyntaxUid = layout.rawSyntax ?? ascii("x00020010", meta);
  const sopClassUid = ascii("x00080016") ?? ascii("x00020002", meta);
  const sopInstanceUid = ascii("x00080018") ?? ascii("x00020003", meta);
  if (layout.rawSyntax && !sopClassUid && !sopInstanceUid) return fail("not_dicom");
  const isDicomdir = sopClassUid === DICOMDIR_CLASS;
  const studyInstanceUid = ascii("x0020000d") ?? (isDicomdir ? "" : undefined);
  if (!sopClassUid || !sopInstanceUid || studyInstanceUid === undefined || !transferSyntaxUid) {
    return fail("missing_uids");
  }
  const charset = ascii("x00080005") ?? "";
  const instanceNumber = Number.parseInt(ascii("x00200013") ?? "", 10);
  const header: DicomHeader = {
    sopClassUid,
    sopInstanceUid,
    studyInstanceUid,
    seriesInstanceUid: ascii("x0020000e"),
    transferSyntaxUid,
    modality: ascii("x00080060"),
    patientName: decodeText(bytesOf(ds, "x00100010"), charset),
    patientId: decodeText(bytesOf(ds, "x00100020"), charset),
    studyDate: ascii("x00080020"),
    studyDescription: decodeText(bytesOf(ds, "x00081030"), charset),
    instanceNumber: Number.isFinite(instanceNumber) ? instanceNumber : undefined,
    isDicomdir,
    hasPreamble: layout.prefix === 0 && !layout.rawSyntax,
  };
  return { ok: true, header };
}

/**
 * An image's pixel description (group 0028, with Rows) comes right before its pixel data. A data
 * set that ends inside it without any pixel data was cut between two elements. (Test files without
 * pixel data do exist, but they go on past group 0028.)
 */
function endsInPixelDescription(ds: DataSet | undefined): boolean {
  const tags = Object.keys(ds?.elements ?? {});
  const last = tags.reduce((max, t) => (t > max ? t : max), "");
  return (
    last.startsWith("x0028") &&
    tags.includes("x00280010") &&
    !tags.some((t) => PIXEL_VARIANTS.includes(t))
  );
}

/** Whether what was parsed is the header, a cut file, or needs more bytes to tell. */
function judge(
  a: Attempt,
  layout: Layout,
  size: number,
  wholeFile: boolean,
): HeaderResult | "more" {
  const syntax = layout.rawSyntax ?? str(a.meta, "x00020010");
  if (a.meta && !syntax) return fail("missing_uids"); // no transfer syntax: the data set is unreadable
  if (str(a.meta, "x00020002") === DICOMDIR_CLASS) return buildHeader(a, layout); // meta says it all
  // All of the data set is in hand: the whole file, and for a deflated one, all of its stream.
  const seenAll = wholeFile && a.inflated !== "unknown";
  const parsed = !a.failed && (a.pixel !== undefined || seenAll);
  if (!parsed && !wholeFile) return "more";
  if (!parsed && !seenAll) return buildHeader(a, layout); // inflated up to the cap: judge on that
  if (!parsed) {
    // A bare data set that fails to parse was most likely never DICOM at all.
    return layout.rawSyntax && !str(a.data, "x00080018") ? fail("not_dicom") : fail("truncated");
  }
  const pixel = a.pixel;
  if (pixel && !pixel.hadUndefinedLength) {
    // Deflated offsets count inflated bytes: the true end is known only once the stream ended.
    const end =
      syntax !== DEFLATED
        ? size + layout.prefix
        : a.inflated === "complete"
          ? a.data?.byteArray.length
          : undefined;
    if (end !== undefined && pixel.dataOffset + pixel.length > end) return fail("truncated");
  }
  if (a.inflated === "cut") return fail("truncated");
  if (seenAll && !pixel && endsInPixelDescription(a.data)) return fail("truncated");
  return buildHeader(a, layout);
}

/**
 * Decides from the first bytes of a file (growing the slice only while needed, up to
 * HEADER_CAP_BYTES) whether it is a DICOM object a PACS can file, and returns its identifiers.
 * Never throws for bad bytes; it rejects only when `read` rejects (a storage error is no verdict).
 * Not detected: a cut inside encapsulated (compressed) pixel data, or anything past the cap.
 */
export async function readDicomHeader(read: RangeReader, size: number): Promise<HeaderResult> {
  if (!(size > 0)) return fail("not_dicom");
  const limit = Math.min(size, HEADER_CAP_BYTES);
  let bytes: Uint8Array = new Uint8Array(0);
  let layout: Layout | null = null;
  for (let want = Math.min(limit, FIRST_SLICE_BYTES); ; want = Math.min(limit, want * 2)) {
    const got = await read(bytes.length, want);
    if (got.length < want - bytes.length) return fail("truncated"); // storage holds less than `size`
    bytes = concat([bytes, got.subarray(0, want - bytes.length)]);
    layout ??= detectLayout(bytes);
    if (!layout) return fail("not_dicom");
    const wholeFile = bytes.length >= size;
    const buf = layout.prefix ? concat([new Uint8Array(128), DICM, bytes]) : bytes;
    const a = parse(buf, layout, wholeFile);
    const verdict = judge(a, layout, size, wholeFile);
    if (verdict !== "more") return verdict;
    // The cap stopped us before the pixel data: judge on the elements read so far.
    if (bytes.length >= limit) return buildHeader(a, layout);
  }
}
