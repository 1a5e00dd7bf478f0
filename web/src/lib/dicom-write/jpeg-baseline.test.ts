import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DicomWriteError } from "./errors";
import { readBaselineJpeg } from "./jpeg-baseline";
import { photoSecondaryCapture } from "./photo-sc";

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../../tests/fixtures/photos/${name}`, import.meta.url)));

function refusal(bytes: Uint8Array): DicomWriteError {
  try {
    photoSecondaryCapture({
      bytes,
      subject: { kind: "new-study", patient: { patientName: "A^B", patientId: "1" } },
      now: new Date(),
    });
  } catch (error) {
    if (error instanceof DicomWriteError) return error;
    throw error;
  }
  throw new Error("the photo was accepted");
}

/** The baseline fixture with its frame header marker (SOF0, 0xFFC0) replaced. */
function withFrameMarker(marker: number): Uint8Array {
  const bytes = fixture("color-baseline-422.jpg").slice();
  const at = bytes.findIndex((b, i) => b === 0xff && bytes[i + 1] === 0xc0);
  bytes[at + 1] = marker;
  return bytes;
}

describe("readBaselineJpeg", () => {
  it("reads size, components and colour space from the frame header", () => {
    expect(readBaselineJpeg(fixture("color-canvas-420.jpg"))).toMatchObject({
      columns: 40,
      rows: 30,
      samplesPerPixel: 3,
      photometricInterpretation: "YBR_FULL_422",
    });
    expect(readBaselineJpeg(fixture("gray-baseline.jpg"))).toMatchObject({
      samplesPerPixel: 1,
      photometricInterpretation: "MONOCHROME2",
    });
  });

  it("returns the very same bytes when there is nothing to leave out", () => {
    const bytes = fixture("color-baseline-444.jpg");
    expect(readBaselineJpeg(bytes).stream).toBe(bytes);
  });
});

describe("JPEGs we cannot send unchanged are refused in plain words", () => {
  it("a progressive JPEG", () => {
    const error = refusal(fixture("progressive.jpg"));
    expect(error.code).toBe("progressive-jpeg");
    expect(error.message).toBe(
      "This photo is a progressive JPEG, which we cannot send unchanged. Save it as a standard JPEG or PNG and try again.",
    );
  });

  it("an extended (SOF1) JPEG", () => {
    expect(refusal(fixture("extended-8bit.jpg")).code).toBe("high-bit-depth-jpeg");
  });

  it("an arithmetic-coded JPEG", () => {
    expect(refusal(withFrameMarker(0xc9)).code).toBe("arithmetic-jpeg");
  });

  it("a lossless JPEG", () => {
    expect(refusal(withFrameMarker(0xc3)).code).toBe("lossless-jpeg");
  });

  it("a JPEG cut short, as from an interrupted download", () => {
    const bytes = fixture("color-baseline-422.jpg");
    const error = refusal(bytes.subarray(0, bytes.length >> 1));
    expect(error.code).toBe("damaged-photo");
    expect(error.message).toMatch(/damaged or incomplete/);
  });
});

describe("files that are not JPEG or PNG are refused in plain words", () => {
  it("an iPhone HEIC photo", () => {
    const heic = new Uint8Array([0, 0, 0, 24, ...new TextEncoder().encode("ftypheic"), 0, 0, 0, 0]);
    expect(refusal(heic).code).toBe("heic-photo");
  });

  it("a text file", () => {
    const error = refusal(new TextEncoder().encode("not a photo at all"));
    expect(error.code).toBe("not-a-photo");
    expect(error.message).toMatch(/not a JPEG or PNG photo/);
  });
});
