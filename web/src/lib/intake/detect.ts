// Tells what a file is from its first bytes, never from its name: CDs and PACS exports name DICOM
// files "IM0001" or "1.2.840...", and phones rename things. Deciding whether a DICOM file is
// readable (and reading its header) is ../dicom/header-verdict.ts.
import { detectLayout, readMetaGroup } from "../dicom/data-set";
import { DICOMDIR_SOP_CLASS } from "../dicom/header-verdict";

export type DetectedFormat =
  /** A DICOM data set: Part 10, meta group without preamble, or a bare data set. */
  | { kind: "dicom" }
  /** A DICOMDIR: the index of a CD/DVD (Media Storage SOP Class 1.2.840.10008.1.3.10). */
  | { kind: "dicomdir" }
  | { kind: "zip" }
  | { kind: "rar"; version: 4 | 5 }
  | { kind: "jpeg" }
  | { kind: "png" }
  /** An archive this app cannot open (7-Zip, gzip/tar.gz, bzip2). */
  | { kind: "other-archive"; name: string }
  | { kind: "unknown" };

/** How many bytes detectFormat wants: enough for the DICOM preamble and its meta group. */
export const DETECT_BYTES = 4096;

function startsWith(bytes: Uint8Array, signature: readonly number[], at = 0): boolean {
  return signature.every((byte, i) => bytes[at + i] === byte);
}

const RAR = [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07]; // "Rar!" 1A 07
const ZIP_LOCAL = [0x50, 0x4b, 0x03, 0x04]; // "PK" 03 04: a local file header
const ZIP_EMPTY = [0x50, 0x4b, 0x05, 0x06]; // "PK" 05 06: end of central directory, no entries
const ZIP_SPANNED = [0x50, 0x4b, 0x07, 0x08]; // "PK" 07 08: split/spanned archive marker
const JPEG = [0xff, 0xd8, 0xff];
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const OTHER_ARCHIVES: readonly { name: string; signature: readonly number[] }[] = [
  { name: "7-Zip", signature: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
  { name: "gzip", signature: [0x1f, 0x8b] },
  { name: "bzip2", signature: [0x42, 0x5a, 0x68] },
];

export function detectFormat(head: Uint8Array): DetectedFormat {
  if (startsWith(head, RAR)) {
    // RAR 1.5-4.x: "Rar!" 1A 07 00; RAR 5: "Rar!" 1A 07 01 00.
    if (head[6] === 0x00) return { kind: "rar", version: 4 };
    if (head[6] === 0x01 && head[7] === 0x00) return { kind: "rar", version: 5 };
  }
  if ([ZIP_LOCAL, ZIP_EMPTY, ZIP_SPANNED].some((sig) => startsWith(head, sig))) {
    return { kind: "zip" };
  }
  if (startsWith(head, JPEG)) return { kind: "jpeg" };
  if (startsWith(head, PNG)) return { kind: "png" };
  const other = OTHER_ARCHIVES.find(({ signature }) => startsWith(head, signature));
  if (other) return { kind: "other-archive", name: other.name };
  const layout = detectLayout(head);
  if (!layout) return { kind: "unknown" };
  const mediaStorageClass = readMetaGroup(head, layout)?.string("x00020002");
  return mediaStorageClass?.replace(/\0/g, "").trim() === DICOMDIR_SOP_CLASS
    ? { kind: "dicomdir" }
    : { kind: "dicom" };
}
