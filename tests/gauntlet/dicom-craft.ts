// Test-only: small DICOM Part 10 files made here, for the gauntlet's good studies (fresh UIDs, so
// runs never collide in the PACS) and for files no corpus holds: an element whose declared length
// (0xFFFFFFF0) is far beyond the file. Runtime-agnostic (Uint8Array, Web Crypto): it runs in Node
// and inside workerd alike.

const CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2";
const EXPLICIT_VR_LE = "1.2.840.10008.1.2.1";
const IMPLICIT_VR_LE = "1.2.840.10008.1.2";
const LONG_VRS = new Set(["OB", "OW", "SQ", "UN", "UT"]);
/** Not 0xFFFFFFFF (undefined length): a real length no small file can hold. */
export const HUGE_LENGTH = 0xfffffff0;

export function newUid(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `2.25.${BigInt(`0x${hex}`).toString(10)}`;
}

function concat(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function u16(value: number): Uint8Array {
  return Uint8Array.of(value & 0xff, value >> 8);
}

function u32(value: number): Uint8Array {
  return Uint8Array.of(value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24);
}

/** An explicit VR little endian element header; `length` may lie about the value that follows. */
function head(group: number, element: number, vr: string, length: number): Uint8Array {
  const tag = concat([u16(group), u16(element), new TextEncoder().encode(vr)]);
  return LONG_VRS.has(vr) ? concat([tag, u16(0), u32(length)]) : concat([tag, u16(length)]);
}

/** An implicit VR little endian element header. */
function implicitHead(group: number, element: number, length: number): Uint8Array {
  return concat([u16(group), u16(element), u32(length)]);
}

function text(vr: string, value: string): Uint8Array {
  const bytes = new TextEncoder().encode(value);
  return bytes.length % 2 === 0 ? bytes : concat([bytes, Uint8Array.of(vr === "UI" ? 0 : 0x20)]);
}

function element(group: number, el: number, vr: string, value: string | number): Uint8Array {
  const data =
    typeof value === "number" ? (vr === "UL" ? u32(value) : u16(value)) : text(vr, value);
  return concat([head(group, el, vr, data.length), data]);
}

function implicitElement(group: number, el: number, value: string | number): Uint8Array {
  const data = typeof value === "number" ? u16(value) : text("UI", value);
  return concat([implicitHead(group, el, data.length), data]);
}

export interface StudyIds {
  studyUid: string;
  seriesUid: string;
  patientName: string;
  patientId: string;
}

export function newStudyIds(label: string): StudyIds {
  const tag = newUid().slice(-8);
  return {
    studyUid: newUid(),
    seriesUid: newUid(),
    patientName: `GAUNTLET^${label.toUpperCase()}${tag}`,
    patientId: `G-${tag}`,
  };
}

/** Where a gauntlet file lies about a length. */
export type Lie =
  | "none"
  /** A private UT element in the middle of the header claims 0xFFFFFFF0 bytes. */
  | "header-element"
  /** Pixel Data claims 0xFFFFFFF0 bytes; 64 follow. */
  | "pixel-data"
  /** The same in an implicit VR file: every element has a 32-bit length there. */
  | "implicit-header-element";

export interface CraftedDicom {
  bytes: Uint8Array<ArrayBuffer>;
  sopUid: string;
}

/**
 * A small, valid CT image of `study` (8x8 pixels), instance `number`; or, with a `lie`, the same
 * file with one element declaring HUGE_LENGTH bytes.
 */
export function craftDicom(study: StudyIds, number: number, lie: Lie = "none"): CraftedDicom {
  const sopUid = newUid();
  const implicit = lie === "implicit-header-element";
  const syntax = implicit ? IMPLICIT_VR_LE : EXPLICIT_VR_LE;
  const meta = concat([
    element(0x0002, 0x0001, "OB", "\0\x01"),
    element(0x0002, 0x0002, "UI", CT_IMAGE_STORAGE),
    element(0x0002, 0x0003, "UI", sopUid),
    element(0x0002, 0x0010, "UI", syntax),
    element(0x0002, 0x0012, "UI", "2.25.261545230548451329186930429316342447081"),
  ]);
  const el = implicit
    ? (g: number, e: number, _vr: string, v: string | number) => implicitElement(g, e, v)
    : element;
  const lying = implicit
    ? concat([implicitHead(0x0009, 0x1001, HUGE_LENGTH), new TextEncoder().encode("LIE!")])
    : concat([head(0x0009, 0x1001, "UT", HUGE_LENGTH), new TextEncoder().encode("LIE!")]);
  const side = 8;
  const data = [
    el(0x0008, 0x0016, "UI", CT_IMAGE_STORAGE),
    el(0x0008, 0x0018, "UI", sopUid),
    el(0x0008, 0x0020, "DA", "20250101"),
    el(0x0008, 0x0060, "CS", "CT"),
    el(0x0008, 0x1030, "LO", "GAUNTLET STUDY"),
    ...(lie === "header-element" || implicit ? [lying] : []),
    el(0x0010, 0x0010, "PN", study.patientName),
    el(0x0010, 0x0020, "LO", study.patientId),
    el(0x0020, 0x000d, "UI", study.studyUid),
    el(0x0020, 0x000e, "UI", study.seriesUid),
    el(0x0020, 0x0011, "IS", "1"),
    el(0x0020, 0x0013, "IS", String(number)),
    el(0x0028, 0x0002, "US", 1),
    el(0x0028, 0x0004, "CS", "MONOCHROME2"),
    el(0x0028, 0x0010, "US", side),
    el(0x0028, 0x0011, "US", side),
    el(0x0028, 0x0100, "US", 16),
    el(0x0028, 0x0101, "US", 16),
    el(0x0028, 0x0102, "US", 15),
    el(0x0028, 0x0103, "US", 0),
    implicit
      ? implicitHead(0x7fe0, 0x0010, side * side * 2)
      : head(0x7fe0, 0x0010, "OW", lie === "pixel-data" ? HUGE_LENGTH : side * side * 2),
    Uint8Array.from({ length: side * side * 2 }, (_, i) => (i * 37 + number) & 0xff),
  ];
  const bytes = concat([
    new Uint8Array(128),
    new TextEncoder().encode("DICM"),
    element(0x0002, 0x0000, "UL", meta.length),
    meta,
    ...data,
  ]);
  return { bytes, sopUid };
}
