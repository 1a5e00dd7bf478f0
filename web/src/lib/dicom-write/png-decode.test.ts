import { readFileSync } from "node:fs";
import { zlibSync } from "fflate";
import { describe, expect, it } from "vitest";
import { decodePng } from "./png-decode";

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../../tests/fixtures/photos/${name}`, import.meta.url)));

/** Offset of a chunk's length field, by type. */
function chunkAt(bytes: Uint8Array, type: string): number {
  const text = new TextDecoder("latin1").decode(bytes);
  return text.indexOf(type) - 4;
}

function refusalCode(bytes: Uint8Array): string {
  try {
    decodePng(bytes);
  } catch (error) {
    return (error as { code?: string }).code ?? "no code";
  }
  return "accepted";
}

describe("decodePng", () => {
  it("reads header, palette and transparency", () => {
    const png = decodePng(fixture("palette8.png"));
    expect(png).toMatchObject({
      width: 12,
      height: 9,
      bitDepth: 8,
      colorType: 3,
      interlaced: false,
    });
    expect(png.palette?.length).toBe(768);
    expect(png.transparency?.length).toBe(200);
    expect(png.samples.length).toBe(12 * 9);
  });

  it("gives the same samples for an interlaced image as for the same image not interlaced", () => {
    const interlaced = decodePng(fixture("rgb8-interlaced.png"));
    expect(interlaced.interlaced).toBe(true);
    // Same pattern, so the first 13x7 block matches rgb8.png row by row.
    const plain = decodePng(fixture("rgb8.png"));
    expect(interlaced.samples.subarray(0, plain.samples.length)).toEqual(plain.samples);
  });

  it("keeps 16-bit samples as 16-bit", () => {
    const png = decodePng(fixture("gray16.png"));
    expect(png.samples).toBeInstanceOf(Uint16Array);
    expect(Math.max(...png.samples)).toBeGreaterThan(255);
  });

  it("refuses a file whose data fails its checksum as damaged", () => {
    const bytes = fixture("rgb8.png").slice();
    const at = chunkAt(bytes, "IDAT") + 9;
    bytes[at] = (bytes[at] ?? 0) ^ 0xff;
    expect(refusalCode(bytes)).toBe("damaged-photo");
  });

  it("refuses a file cut short as damaged", () => {
    const bytes = fixture("rgb8.png");
    expect(refusalCode(bytes.subarray(0, chunkAt(bytes, "IEND") - 6))).toBe("damaged-photo");
  });

  it("refuses an image whose compressed data holds too few rows as damaged", () => {
    const bytes = fixture("gray8.png");
    const idat = chunkAt(bytes, "IDAT");
    // Rebuild the file with an IDAT that inflates to a single row.
    const short = zlibSync(new Uint8Array(14));
    const chunk = new Uint8Array(12 + short.length);
    const view = new DataView(chunk.buffer);
    view.setUint32(0, short.length);
    chunk.set(new TextEncoder().encode("IDAT"), 4);
    chunk.set(short, 8);
    view.setUint32(8 + short.length, crc(chunk.subarray(4, 8 + short.length)));
    const rebuilt = new Uint8Array([
      ...bytes.subarray(0, idat),
      ...chunk,
      ...bytes.subarray(chunkAt(bytes, "IEND")),
    ]);
    expect(refusalCode(rebuilt)).toBe("damaged-photo");
  });

  it("refuses an unknown critical chunk as unsupported", () => {
    const bytes = fixture("gray8.png").slice();
    // Rename the (ancillary) tEXt chunk to a critical "TEXt" and fix its checksum.
    const at = chunkAt(bytes, "tEXt");
    bytes[at + 4] = "T".charCodeAt(0);
    const length = new DataView(bytes.buffer).getUint32(at);
    new DataView(bytes.buffer).setUint32(
      at + 8 + length,
      crc(bytes.subarray(at + 4, at + 8 + length)),
    );
    expect(refusalCode(bytes)).toBe("unsupported-png");
  });
});

function crc(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}
