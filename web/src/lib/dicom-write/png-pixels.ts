// Turns decoded PNG samples into DICOM native pixel data (interleaved, little endian).
// Colour policy, kept simple because a PACS shows no transparency: alpha is composited on white,
// palettes are expanded to RGB, 1/2/4-bit grey is scaled to 8 bits, 16-bit stays 16-bit.
import type { PngImage } from "./png-decode";

export interface NativePixels {
  columns: number;
  rows: number;
  samplesPerPixel: 1 | 3;
  photometricInterpretation: "MONOCHROME2" | "RGB";
  bitsAllocated: 8 | 16;
  /** Rows * Columns * SamplesPerPixel samples, 16-bit ones little endian. */
  data: Uint8Array;
}

export function pngToNativePixels(png: PngImage): NativePixels {
  const color = png.colorType === 2 || png.colorType === 3 || png.colorType === 6;
  const outChannels = color ? 3 : 1;
  const bitsAllocated = png.bitDepth === 16 ? 16 : 8;
  const max = bitsAllocated === 16 ? 0xffff : 0xff;
  const pixelCount = png.width * png.height;
  const out =
    bitsAllocated === 16
      ? new Uint16Array(pixelCount * outChannels)
      : new Uint8Array(pixelCount * outChannels);
  const { samples, channels } = png;
  const key = transparentColour(png);
  const scale = png.colorType === 0 && png.bitDepth < 8 ? 255 / ((1 << png.bitDepth) - 1) : 1;

  for (let p = 0; p < pixelCount; p++) {
    const from = p * channels;
    const to = p * outChannels;
    if (png.colorType === 3) {
      const index = samples[from] ?? 0;
      const alpha = png.transparency?.[index] ?? 0xff;
      for (let ch = 0; ch < 3; ch++) {
        out[to + ch] = over(png.palette?.[index * 3 + ch] ?? 0, alpha, 0xff);
      }
      continue;
    }
    const hasAlpha = png.colorType === 4 || png.colorType === 6;
    const alpha = hasAlpha ? (samples[from + channels - 1] ?? max) : max;
    // A tRNS colour key makes exactly the matching pixels fully transparent, so white.
    const keyed = key !== undefined && matches(samples, from, outChannels, key);
    for (let ch = 0; ch < outChannels; ch++) {
      const value = Math.round((samples[from + ch] ?? 0) * scale);
      out[to + ch] = keyed ? max : over(value, alpha, max);
    }
  }
  return {
    columns: png.width,
    rows: png.height,
    samplesPerPixel: outChannels,
    photometricInterpretation: color ? "RGB" : "MONOCHROME2",
    bitsAllocated,
    data: out instanceof Uint16Array ? littleEndianBytes(out) : out,
  };
}

/** `value` with opacity `alpha` (0..max) laid over white. */
function over(value: number, alpha: number, max: number): number {
  return alpha === max ? value : Math.round((value * alpha + max * (max - alpha)) / max);
}

/** The tRNS colour key of a grey or RGB image, as samples at the image's bit depth. */
function transparentColour(png: PngImage): number[] | undefined {
  const trns = png.transparency;
  if (!trns || (png.colorType !== 0 && png.colorType !== 2)) return undefined;
  const count = png.colorType === 0 ? 1 : 3;
  if (trns.length < count * 2) return undefined;
  const mask = png.bitDepth === 16 ? 0xffff : (1 << png.bitDepth) - 1;
  return Array.from(
    { length: count },
    (_, i) => (((trns[2 * i] ?? 0) << 8) | (trns[2 * i + 1] ?? 0)) & mask,
  );
}

function matches(samples: ArrayLike<number>, from: number, count: number, key: number[]): boolean {
  for (let i = 0; i < count; i++) if (samples[from + i] !== key[i]) return false;
  return true;
}

function littleEndianBytes(words: Uint16Array): Uint8Array {
  const bytes = new Uint8Array(words.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < words.length; i++) view.setUint16(i * 2, words[i] ?? 0, true);
  return bytes;
}
