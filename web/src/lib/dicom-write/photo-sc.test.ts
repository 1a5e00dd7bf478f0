import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { dciodvfy, dcmdump, printNewWarnings } from "./dicom-tools.testing";
import { JPEG_BASELINE_PROCESS_1, EXPLICIT_VR_LITTLE_ENDIAN, readPart10 } from "./part10";
import { photoSecondaryCapture, SECONDARY_CAPTURE, type PhotoInput } from "./photo-sc";
import { isValidUid } from "./uid";

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../../tests/fixtures/photos/${name}`, import.meta.url)));

const STUDY_UID = "1.2.826.0.1.3680043.8.498.99887766554433221100";
const existing: PhotoInput["subject"] = {
  kind: "existing-study",
  study: {
    patientName: "Nakamura^Yuki",
    patientId: "MRN-7",
    patientBirthDate: "19800229",
    patientSex: "M",
    studyInstanceUid: STUDY_UID,
    studyDate: "2024-02-01",
  },
};
const now = new Date(2024, 1, 2, 8, 30, 0);

function photo(name: string, extra: Partial<PhotoInput> = {}) {
  return photoSecondaryCapture({ bytes: fixture(name), subject: existing, now, ...extra });
}

/** Pixel Data as written: one frame (the fragment, for encapsulated data). */
function pixelData(dataset: Readonly<Record<string, unknown>>): Uint8Array {
  const frames = dataset["PixelData"];
  expect(Array.isArray(frames) && frames.length === 1).toBe(true);
  return new Uint8Array((frames as ArrayBuffer[])[0] ?? new ArrayBuffer(0));
}

/** DICOM pads odd-length values with one zero byte. */
function withoutPadding(written: Uint8Array, length: number): Uint8Array {
  expect(written.length - length).toBe(length % 2);
  expect(written.subarray(length).every((b) => b === 0)).toBe(true);
  return written.subarray(0, length);
}

function expectValid(bytes: Uint8Array, label: string): void {
  const verdict = dciodvfy(bytes);
  printNewWarnings(label, verdict);
  expect(verdict.errors).toEqual([]);
  expect(dcmdump(bytes)).toContain("SecondaryCaptureImageStorage");
}

const PNGS: [string, string, number][] = [
  ["gray8.png", "MONOCHROME2", 8],
  ["gray2.png", "MONOCHROME2", 8],
  ["gray16.png", "MONOCHROME2", 16],
  ["gray-alpha8.png", "MONOCHROME2", 8],
  ["gray1-interlaced.png", "MONOCHROME2", 8],
  ["rgb8.png", "RGB", 8],
  ["rgb16.png", "RGB", 16],
  ["rgb8-transparent-colour.png", "RGB", 8],
  ["rgb8-interlaced.png", "RGB", 8],
  ["rgb8-interlaced-tiny.png", "RGB", 8],
  ["rgba8.png", "RGB", 8],
  ["rgba16.png", "RGB", 16],
  ["palette8.png", "RGB", 8],
  ["palette4.png", "RGB", 8],
];

describe("photoSecondaryCapture from PNG", () => {
  it.each(PNGS)("%s: valid SC whose pixels are the decoded PNG (%s, %i-bit)", (name, pi, bits) => {
    const result = photo(name);
    expectValid(result.bytes, name);
    const { transferSyntaxUid, dataset } = readPart10(result.bytes);
    expect(transferSyntaxUid).toBe(EXPLICIT_VR_LITTLE_ENDIAN);
    expect(dataset).toMatchObject({
      PhotometricInterpretation: pi,
      BitsAllocated: bits,
      BitsStored: bits,
      HighBit: bits - 1,
      SamplesPerPixel: pi === "RGB" ? 3 : 1,
    });
    const expected = fixture(name.replace(/\.png$/, ".expected.bin"));
    const pixels = withoutPadding(pixelData(dataset), expected.length);
    expect(Buffer.from(pixels).equals(Buffer.from(expected))).toBe(true);
  });
});

describe("photoSecondaryCapture from JPEG", () => {
  const JPEGS: [string, string, number, number][] = [
    ["gray-baseline.jpg", "MONOCHROME2", 48, 32],
    ["color-baseline-422.jpg", "YBR_FULL_422", 48, 32],
    ["color-baseline-444.jpg", "YBR_FULL_422", 48, 32], // PS3.5 8.2.1: not YBR_FULL
    ["color-canvas-420.jpg", "YBR_FULL_422", 40, 30],
    ["color-baseline-rgb.jpg", "RGB", 48, 32], // Adobe segment: components not transformed
  ];

  it.each(JPEGS)("%s: valid SC carrying the JPEG unchanged (%s)", (name, pi, columns, rows) => {
    const result = photo(name);
    expectValid(result.bytes, name);
    const { transferSyntaxUid, dataset } = readPart10(result.bytes);
    expect(transferSyntaxUid).toBe(JPEG_BASELINE_PROCESS_1);
    expect(dataset).toMatchObject({
      PhotometricInterpretation: pi,
      Rows: rows,
      Columns: columns,
      BitsAllocated: 8,
      LossyImageCompression: "01",
    });
    const source = fixture(name);
    const fragment = withoutPadding(pixelData(dataset), source.length);
    expect(Buffer.from(fragment).equals(Buffer.from(source))).toBe(true);
  });

  it("leaves out Exif, comments and bytes after the image, and keeps Exif when asked", () => {
    const stripped = fixture("color-exif-trailer.stripped.jpg");
    const dropped = pixelData(readPart10(photo("color-exif-trailer.jpg").bytes).dataset);
    expect(Buffer.from(withoutPadding(dropped, stripped.length)).equals(stripped)).toBe(true);

    const kept = photo("color-exif-trailer.jpg", { keepJpegMetadata: true });
    expectValid(kept.bytes, "color-exif-trailer.jpg kept");
    expect(Buffer.from(pixelData(readPart10(kept.bytes).dataset)).includes("GPS 51.5N")).toBe(true);
  });
});

describe("photoSecondaryCapture patient and study", () => {
  it("adds the photo to the uploaded study with its patient, as XC with unknown laterality", () => {
    const result = photo("rgb8.png");
    const { dataset } = readPart10(result.bytes);
    expect(result.studyInstanceUid).toBe(STUDY_UID);
    expect(dataset).toMatchObject({
      SOPClassUID: SECONDARY_CAPTURE,
      StudyInstanceUID: STUDY_UID,
      PatientID: "MRN-7",
      PatientBirthDate: "19800229",
      PatientSex: "M",
      StudyDate: "20240201",
      Modality: "XC",
      ContentDate: "20240202",
      ContentTime: "083000",
      BurnedInAnnotation: "YES",
    });
    expect(dataset["Laterality"]).toBe("");
    expect(dcmdump(result.bytes)).toMatch(/\(0020,0060\) CS \(no value available\)/);
  });

  it("makes a new study from the short form, and keeps later photos in it and in one series", () => {
    const subject: PhotoInput["subject"] = {
      kind: "new-study",
      patient: { patientName: "Ørsted^Åse", patientId: "F-1", patientSex: "f" },
    };
    const first = photo("gray8.png", { subject });
    expectValid(first.bytes, "new study");
    expect(isValidUid(first.studyInstanceUid)).toBe(true);
    expect(first.studyInstanceUid).not.toBe(STUDY_UID);
    const second = photo("rgb8.png", {
      subject: { ...subject, studyInstanceUid: first.studyInstanceUid },
      series: { seriesInstanceUid: first.seriesInstanceUid, seriesNumber: first.seriesNumber },
      instanceNumber: 2,
    });
    const { dataset } = readPart10(second.bytes);
    expect(dataset).toMatchObject({
      StudyInstanceUID: first.studyInstanceUid,
      SeriesInstanceUID: first.seriesInstanceUid,
      InstanceNumber: 2,
      PatientID: "F-1",
      PatientSex: "F",
      StudyDate: "20240202",
    });
    expect(second.sopInstanceUid).not.toBe(first.sopInstanceUid);
    expect(dcmdump(second.bytes)).toContain("Ørsted^Åse");
  });

  it("a new study takes the description the user gave it, else 'Clinical photos'", () => {
    const patient = { patientName: "Doe^Jane", patientId: "F-2" };
    const named = photo("gray8.png", {
      subject: { kind: "new-study", patient, studyDescription: "Wound, left heel" },
    });
    expectValid(named.bytes, "named new study");
    expect(readPart10(named.bytes).dataset["StudyDescription"]).toBe("Wound, left heel");
    const plain = photo("gray8.png", { subject: { kind: "new-study", patient } });
    expect(readPart10(plain.bytes).dataset["StudyDescription"]).toBe("Clinical photos");
  });

  it("needs a name and an ID for a new study", () => {
    const subject: PhotoInput["subject"] = {
      kind: "new-study",
      patient: { patientName: " ", patientId: "F-1" },
    };
    expect(() => photo("gray8.png", { subject })).toThrow(
      expect.objectContaining({ code: "missing-patient-details" }),
    );
  });
});
