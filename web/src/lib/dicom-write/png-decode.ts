// Decodes a PNG file to unpacked samples (one array entry per channel per pixel, rows top to
// bottom), written from the PNG specification (ISO/IEC 15948) with fflate's inflate. It does not
// convert colours: png-pixels.ts turns the samples into DICOM pixels. Ancillary chunks (gamma,
// ICC profiles, text) are ignored; Adam7 interlacing is supported.
import { unzlibSync } from "fflate";
import { DicomWriteError } from "./errors";

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Refuse images whose inflated data would be larger than this: a phone could not hold them. */
export const MAX_INFLATED_BYTES = 512 * 1024 * 1024;
const MAX_SIDE = 65535; // DICOM Rows and Columns are 16-bit.

export type PngColorType = 0 | 2 | 3 | 4 | 6;
const CHANNELS: Readonly<Record<PngColorType, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const DEPTHS: Readonly<Record<PngColorType, readonly number[]>> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};
// Adam7 passes: x start, y start, x step, y step.
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

export interface PngImage {
  width: number;
  height: number;
  bitDepth: number;
  colorType: PngColorType;
  channels: number;
  /** width * height * channels samples; Uint16Array only for 16-bit images. */
  samples: Uint8Array | Uint16Array;
  /** PLTE entries as RGB triples (palette images). */
  palette?: Uint8Array;
  /** tRNS contents as stored: alpha per palette entry, or the transparent colour's samples. */
  transparency?: Uint8Array;
  interlaced: boolean;
}

type PngHeader = Omit<PngImage, "samples" | "palette" | "transparency">;

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.every((b, i) => bytes[i] === b);
}

export function decodePng(bytes: Uint8Array): PngImage {
  if (!isPng(bytes)) throw new DicomWriteError("not-a-photo");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: PngHeader | undefined;
  let palette: Uint8Array | undefined;
  let transparency: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  let ended = false;

  for (let pos = 8; !ended;) {
    if (pos + 12 > bytes.length) throw new DicomWriteError("damaged-photo", "png-truncated");
    const length = view.getUint32(pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    const end = pos + 8 + length;
    if (end + 4 > bytes.length) throw new DicomWriteError("damaged-photo", "png-truncated");
    if (crc32(bytes.subarray(pos + 4, end)) !== view.getUint32(end)) {
      throw new DicomWriteError("damaged-photo", `png-crc-${type}`);
    }
    const body = bytes.subarray(pos + 8, end);
    if (!header && type !== "IHDR") throw new DicomWriteError("damaged-photo", "png-no-IHDR");
    if (type === "IHDR") header = readHeader(body);
    else if (type === "PLTE") palette = body;
    else if (type === "tRNS") transparency = body;
    else if (type === "IDAT") idat.push(body);
    else if (type === "IEND") ended = true;
    // A critical chunk (upper-case first letter) we do not know changes how the image reads.
    else if (/^[A-Z]/.test(type)) throw new DicomWriteError("unsupported-png", `png-${type}`);
    pos = end + 4;
  }
  if (!header || idat.length === 0) throw new DicomWriteError("damaged-photo", "png-no-IDAT");
  if (header.colorType === 3 && !palette) throw new DicomWriteError("damaged-photo", "png-no-PLTE");

  const image: PngHeader = header;
  const passes: readonly (readonly [number, number, number, number])[] = image.interlaced
    ? ADAM7
    : [[0, 0, 1, 1]];
  const bitsPerPixel = image.bitDepth * image.channels;
  const sizes = passes.map(([x0, y0, dx, dy]) => {
    const w = Math.ceil((image.width - x0) / dx);
    const h = Math.ceil((image.height - y0) / dy);
    return { w, h, rowBytes: Math.ceil((w * bitsPerPixel) / 8) };
  });
  const expected = sizes.reduce((sum, s) => sum + (s.w && s.h ? (s.rowBytes + 1) * s.h : 0), 0);
  if (expected > MAX_INFLATED_BYTES) throw new DicomWriteError("photo-too-large");
  const inflated = inflate(concat(idat), expected);

  const count = image.width * image.height * image.channels;
  const samples = image.bitDepth === 16 ? new Uint16Array(count) : new Uint8Array(count);
  let offset = 0;
  passes.forEach(([x0, y0, dx, dy], index) => {
    const { w, h, rowBytes } = sizes[index] ?? { w: 0, h: 0, rowBytes: 0 };
    if (w === 0 || h === 0) return;
    const pass = inflated.subarray(offset, offset + (rowBytes + 1) * h);
    offset += pass.length;
    unfilter(pass, rowBytes, h, Math.max(1, bitsPerPixel >> 3));
    for (let y = 0; y < h; y++) {
      const row = pass.subarray(y * (rowBytes + 1) + 1, (y + 1) * (rowBytes + 1));
      const target = ((y0 + y * dy) * image.width + x0) * image.channels;
      unpackRow(row, w, image, samples, target, dx * image.channels);
    }
  });
  return { ...image, samples, palette, transparency };
}

function readHeader(body: Uint8Array): PngHeader {
  if (body.length !== 13) throw new DicomWriteError("damaged-photo", "png-IHDR");
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const width = view.getUint32(0);
  const height = view.getUint32(4);
  const [bitDepth = 0, colorType = 0, compression, filter, interlace] = body.subarray(8);
  if (width === 0 || height === 0) throw new DicomWriteError("damaged-photo", "png-size");
  if (width > MAX_SIDE || height > MAX_SIDE) throw new DicomWriteError("photo-too-large");
  if (!isColorType(colorType) || !DEPTHS[colorType].includes(bitDepth)) {
    throw new DicomWriteError("damaged-photo", "png-depth");
  }
  if (compression !== 0 || filter !== 0 || (interlace !== 0 && interlace !== 1)) {
    throw new DicomWriteError("unsupported-png", "png-method");
  }
  const channels = CHANNELS[colorType];
  return { width, height, bitDepth, colorType, channels, interlaced: interlace === 1 };
}

function isColorType(value: number): value is PngColorType {
  return value in CHANNELS;
}

function inflate(data: Uint8Array, expected: number): Uint8Array {
  let out: Uint8Array;
  try {
    out = unzlibSync(data, { out: new Uint8Array(expected) });
  } catch (cause) {
    throw new DicomWriteError("damaged-photo", "png-inflate", { cause });
  }
  if (out.length < expected) throw new DicomWriteError("damaged-photo", "png-short-data");
  return out;
}

/** Reverses the per-row filters in place (PNG filter method 0: None, Sub, Up, Average, Paeth). */
function unfilter(data: Uint8Array, rowBytes: number, rows: number, bpp: number): void {
  const stride = rowBytes + 1;
  for (let y = 0; y < rows; y++) {
    const start = y * stride + 1;
    const prev = start - stride; // only read when y > 0
    const type = data[start - 1] ?? 0;
    if (type > 4) throw new DicomWriteError("damaged-photo", "png-filter");
    if (type === 0) continue;
    for (let i = 0; i < rowBytes; i++) {
      const a = i >= bpp ? (data[start + i - bpp] ?? 0) : 0;
      const b = y > 0 ? (data[prev + i] ?? 0) : 0;
      const c = i >= bpp && y > 0 ? (data[prev + i - bpp] ?? 0) : 0;
      const x = data[start + i] ?? 0;
      // Uint8Array stores modulo 256, which is the arithmetic the filters are defined with.
      if (type === 1) data[start + i] = x + a;
      else if (type === 2) data[start + i] = x + b;
      else if (type === 3) data[start + i] = x + ((a + b) >> 1);
      else data[start + i] = x + paeth(a, b, c);
    }
  }
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

/** Copies one row's pixels into `samples` from `target`, `step` entries apart per pixel. */
function unpackRow(
  row: Uint8Array,
  width: number,
  header: { bitDepth: number; channels: number },
  samples: Uint8Array | Uint16Array,
  target: number,
  step: number,
): void {
  const { bitDepth, channels } = header;
  for (let x = 0; x < width; x++) {
    const to = target + x * step;
    for (let ch = 0; ch < channels; ch++) {
      const index = x * channels + ch;
      if (bitDepth === 8) samples[to + ch] = row[index] ?? 0;
      else if (bitDepth === 16)
        samples[to + ch] = ((row[2 * index] ?? 0) << 8) | (row[2 * index + 1] ?? 0);
      else {
        // 1, 2 or 4 bits: one channel only, the leftmost pixel in the high bits.
        const bit = index * bitDepth;
        const byte = row[bit >> 3] ?? 0;
        samples[to] = (byte >> (8 - bitDepth - (bit & 7))) & ((1 << bitDepth) - 1);
      }
    }
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1 && parts[0]) return parts[0];
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

let crcTable: Uint32Array | undefined;

function crc32(data: Uint8Array): number {
  crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let crc = 0xffffffff;
  for (const byte of data) crc = (crcTable[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
