// Checks that a JPEG is baseline (process 1, the only JPEG every PACS and viewer decodes) and
// reads what the DICOM header needs from its frame header, so the compressed stream can be
// encapsulated unchanged (transfer syntax 1.2.840.10008.1.2.4.50): no decoding, no re-encoding.
// Metadata segments (Exif with GPS position, XMP, comments) are left out by default, and bytes
// after the end-of-image marker (some phones append their own data) are dropped.
import { DicomWriteError } from "./errors";

export interface BaselineJpeg {
  /** The stream to encapsulate: the input, less the dropped segments and trailing bytes. */
  stream: Uint8Array;
  columns: number;
  rows: number;
  samplesPerPixel: 1 | 3;
  photometricInterpretation: "MONOCHROME2" | "YBR_FULL_422" | "RGB";
}

export interface JpegOptions {
  /** Keep Exif, XMP, comments and other application segments (default: drop them). */
  keepMetadata?: boolean;
}

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const APP0 = 0xe0;
const APP2 = 0xe2;
const APP14 = 0xee;
const COM = 0xfe;

export function isJpeg(bytes: Uint8Array): boolean {
  return bytes[0] === 0xff && bytes[1] === SOI && bytes[2] === 0xff;
}

interface Frame {
  columns: number;
  rows: number;
  components: { id: number }[];
}

export function readBaselineJpeg(bytes: Uint8Array, options: JpegOptions = {}): BaselineJpeg {
  if (!isJpeg(bytes)) throw new DicomWriteError("not-a-photo");
  const kept: Uint8Array[] = [bytes.subarray(0, 2)];
  let frame: Frame | undefined;
  let adobeTransform: number | undefined;
  let jfif = false;
  let scans = 0;
  let pos = 2;

  for (;;) {
    if (bytes[pos] !== 0xff) throw new DicomWriteError("damaged-photo", "jpeg-marker");
    const start = pos; // fill bytes (extra 0xFF) before a marker are kept with it
    while (bytes[pos + 1] === 0xff) pos++;
    const marker = bytes[pos + 1];
    if (marker === undefined) throw new DicomWriteError("damaged-photo", "jpeg-truncated");
    if (marker === EOI) {
      kept.push(bytes.subarray(start, pos + 2));
      break;
    }
    if (pos + 4 > bytes.length) throw new DicomWriteError("damaged-photo", "jpeg-truncated");
    const end = pos + 2 + (((bytes[pos + 2] ?? 0) << 8) | (bytes[pos + 3] ?? 0));
    if (end > bytes.length || end < pos + 4)
      throw new DicomWriteError("damaged-photo", "jpeg-length");
    const body = bytes.subarray(pos + 4, end);

    if (isFrameHeader(marker)) {
      if (frame) throw new DicomWriteError("lossless-jpeg", "jpeg-several-frames");
      frame = readFrameHeader(marker, body);
    }
    if (marker === APP0 && startsWith(body, "JFIF\0")) jfif = true;
    if (marker === APP14 && startsWith(body, "Adobe") && body.length >= 12)
      adobeTransform = body[11];
    if (options.keepMetadata || !isMetadata(marker, body)) kept.push(bytes.subarray(start, end));
    pos = end;

    if (marker === SOS) {
      if (!frame) throw new DicomWriteError("damaged-photo", "jpeg-scan-before-frame");
      scans++;
      const dataEnd = endOfEntropyCodedData(bytes, pos);
      kept.push(bytes.subarray(pos, dataEnd));
      pos = dataEnd;
    }
  }
  if (!frame || scans === 0) throw new DicomWriteError("damaged-photo", "jpeg-no-image");

  const stream =
    kept.reduce((sum, part) => sum + part.length, 0) === bytes.length ? bytes : concat(kept);
  return {
    stream,
    columns: frame.columns,
    rows: frame.rows,
    samplesPerPixel: frame.components.length === 1 ? 1 : 3,
    photometricInterpretation: photometric(frame, jfif, adobeTransform),
  };
}

function isFrameHeader(marker: number): boolean {
  // SOF0..SOF15 less DHT (C4), JPG (C8) and DAC (CC).
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function readFrameHeader(marker: number, body: Uint8Array): Frame {
  if (marker === 0xc2 || marker === 0xc6)
    throw new DicomWriteError("progressive-jpeg", "jpeg-SOF2");
  if (marker >= 0xc9) throw new DicomWriteError("arithmetic-jpeg", "jpeg-SOF9+");
  if (marker === 0xc3 || marker >= 0xc5)
    throw new DicomWriteError("lossless-jpeg", "jpeg-SOF3/5/7");
  if (marker === 0xc1) throw new DicomWriteError("high-bit-depth-jpeg", "jpeg-SOF1");
  const precision = body[0];
  const rows = ((body[1] ?? 0) << 8) | (body[2] ?? 0);
  const columns = ((body[3] ?? 0) << 8) | (body[4] ?? 0);
  const count = body[5] ?? 0;
  if (precision !== 8) throw new DicomWriteError("high-bit-depth-jpeg", "jpeg-precision");
  if (body.length < 6 + 3 * count) throw new DicomWriteError("damaged-photo", "jpeg-SOF");
  // Height 0 means "given later by a DNL marker", which DICOM's header cannot wait for.
  if (rows === 0 || columns === 0) throw new DicomWriteError("damaged-photo", "jpeg-size");
  if (count === 4) throw new DicomWriteError("cmyk-jpeg");
  if (count !== 1 && count !== 3) throw new DicomWriteError("damaged-photo", "jpeg-components");
  const components = Array.from({ length: count }, (_, i) => ({ id: body[6 + 3 * i] ?? 0 }));
  return { columns, rows, components };
}

/**
 * DICOM PS3.5 8.2.1 allows two values for lossy JPEG colour: YBR_FULL_422 for YCbCr data,
 * whatever the chroma subsampling (4:2:0 and 4:4:4 too: the JPEG header says how it is sampled),
 * and RGB for colour components stored untransformed. dciodvfy refuses YBR_FULL here. JFIF
 * implies YCbCr; otherwise an Adobe segment says, or, as libjpeg guesses, ids "R","G","B".
 */
function photometric(
  frame: Frame,
  jfif: boolean,
  adobe: number | undefined,
): BaselineJpeg["photometricInterpretation"] {
  if (frame.components.length === 1) return "MONOCHROME2";
  const ids = String.fromCharCode(...frame.components.map((c) => c.id));
  const rgb = jfif ? false : adobe !== undefined ? adobe === 0 : ids === "RGB";
  return rgb ? "RGB" : "YBR_FULL_422";
}

/** APP1, APP3..APP13, APP15 (Exif, XMP, maker data...) and comments: nothing a decoder needs. */
function isMetadata(marker: number, body: Uint8Array): boolean {
  if (marker === COM) return true;
  if (marker < APP0 || marker > 0xef) return false;
  if (marker === APP0 || marker === APP14) return false;
  // APP2 may carry the ICC colour profile, which changes how the colours display.
  return !(marker === APP2 && startsWith(body, "ICC_PROFILE\0"));
}

/** Index of the first marker after a scan's data (restart markers and stuffed 0xFF00 skipped). */
function endOfEntropyCodedData(bytes: Uint8Array, from: number): number {
  for (let i = from; i + 1 < bytes.length; i++) {
    if (bytes[i] !== 0xff) continue;
    const next = bytes[i + 1] ?? 0;
    if (next === 0 || (next >= 0xd0 && next <= 0xd7) || next === 0xff) continue;
    return i;
  }
  throw new DicomWriteError("damaged-photo", "jpeg-truncated");
}

function startsWith(body: Uint8Array, text: string): boolean {
  return body.length >= text.length && [...text].every((ch, i) => body[i] === ch.charCodeAt(0));
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
