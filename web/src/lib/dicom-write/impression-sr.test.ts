import { describe, expect, it } from "vitest";
import { dciodvfy, dcmdump, printNewWarnings } from "./dicom-tools.testing";
import { DicomWriteError } from "./errors";
import { BASIC_TEXT_SR, impressionSr, type ImpressionInput } from "./impression-sr";
import { EXPLICIT_VR_LITTLE_ENDIAN, readPart10 } from "./part10";
import { isValidUid } from "./uid";

const STUDY_UID = "1.2.826.0.1.3680043.8.498.12345678901234567890";
const input: ImpressionInput = {
  impression:
    "Fracture déplacée du radius distal, à revoir.\nΚάταγμα κερκίδας.\n橈骨遠位端骨折の疑い。",
  study: {
    patientName: "Dupont^Hélène",
    patientId: "PAT-0042",
    patientBirthDate: "1961-03-09",
    patientSex: "F",
    studyInstanceUid: STUDY_UID,
    studyDate: "20240115",
    studyTime: "093012",
    accessionNumber: "ACC123",
    referringPhysicianName: "Martin^Paul",
    studyId: "S1",
  },
  author: "Okafor^Ada",
  now: new Date(2024, 0, 16, 14, 5, 9),
};

function items(value: unknown): Record<string, unknown>[] {
  expect(Array.isArray(value)).toBe(true);
  return value as Record<string, unknown>[];
}

describe("impressionSr", () => {
  it("writes a Basic Text SR that dciodvfy accepts without errors and dcmdump reads", () => {
    const bytes = impressionSr(input);
    const verdict = dciodvfy(bytes);
    printNewWarnings("Basic Text SR", verdict);
    expect(verdict.errors).toEqual([]);
    expect(dcmdump(bytes)).toContain("BasicTextSRStorage");
  });

  it("is a Part 10 file: 128-byte preamble, DICM, Explicit VR Little Endian", () => {
    const bytes = impressionSr(input);
    expect(bytes.subarray(0, 128).every((b) => b === 0)).toBe(true);
    expect(new TextDecoder().decode(bytes.subarray(128, 132))).toBe("DICM");
    expect(readPart10(bytes).transferSyntaxUid).toBe(EXPLICIT_VR_LITTLE_ENDIAN);
  });

  it("keeps French, Greek and Japanese text intact, with DICOM line breaks", () => {
    const { dataset } = readPart10(impressionSr(input));
    expect(dataset["SpecificCharacterSet"]).toBe("ISO_IR 192");
    const [text] = items(dataset["ContentSequence"]).filter((item) => item["ValueType"] === "TEXT");
    expect(text?.["TextValue"]).toBe(input.impression.replace(/\n/g, "\r\n"));
    expect(dcmdump(impressionSr(input))).toContain("橈骨遠位端骨折の疑い");
  });

  it("files the SR in the uploaded study with the same patient", () => {
    const { dataset } = readPart10(impressionSr(input));
    expect(dataset).toMatchObject({
      SOPClassUID: BASIC_TEXT_SR,
      StudyInstanceUID: STUDY_UID,
      PatientID: "PAT-0042",
      PatientBirthDate: "19610309",
      PatientSex: "F",
      StudyDate: "20240115",
      StudyTime: "093012",
      AccessionNumber: "ACC123",
      StudyID: "S1",
      Modality: "SR",
      CompletionFlag: "COMPLETE",
      VerificationFlag: "UNVERIFIED",
      ContentDate: "20240116",
      ContentTime: "140509",
    });
    expect(items(dataset["PatientName"])[0]).toEqual({ Alphabetic: "Dupont^Hélène" });
  });

  it("gives every SR its own valid series and instance UIDs", () => {
    const first = readPart10(impressionSr(input)).dataset;
    const second = readPart10(impressionSr(input)).dataset;
    const uids = [first, second].flatMap((d) => [d["SeriesInstanceUID"], d["SOPInstanceUID"]]);
    for (const uid of uids) expect(typeof uid === "string" && isValidUid(uid)).toBe(true);
    expect(new Set([...uids, STUDY_UID]).size).toBe(5);
  });

  it("titles the document Impressions and names the author as observer", () => {
    const { dataset } = readPart10(impressionSr(input));
    expect(items(dataset["ConceptNameCodeSequence"])[0]).toMatchObject({
      CodeValue: "121072",
      CodingSchemeDesignator: "DCM",
    });
    const [observer, text] = items(dataset["ContentSequence"]);
    expect(observer).toMatchObject({ RelationshipType: "HAS OBS CONTEXT", ValueType: "PNAME" });
    expect(items(observer?.["PersonName"])[0]).toEqual({ Alphabetic: "Okafor^Ada" });
    expect(text).toMatchObject({ RelationshipType: "CONTAINS", ValueType: "TEXT" });
  });

  it("leaves the observer out when no author is given", () => {
    const { dataset } = readPart10(impressionSr({ ...input, author: undefined }));
    expect(items(dataset["ContentSequence"]).map((item) => item["ValueType"])).toEqual(["TEXT"]);
  });

  it("refuses an empty impression with a plain message", () => {
    const write = () => impressionSr({ ...input, impression: " \n\t " });
    expect(write).toThrow(DicomWriteError);
    expect(write).toThrow(/impression is empty/);
  });

  it("refuses a patient ID longer than DICOM allows instead of cutting it", () => {
    const study = { ...input.study, patientId: "X".repeat(65) };
    expect(() => impressionSr({ ...input, study })).toThrow(
      expect.objectContaining({ code: "value-too-long", detail: "patientId" }),
    );
  });

  it("refuses a study UID that would corrupt the file", () => {
    const study = { ...input.study, studyInstanceUid: "1.2.abc" };
    expect(() => impressionSr({ ...input, study })).toThrow(
      expect.objectContaining({ code: "invalid-study-uid" }),
    );
  });
});
