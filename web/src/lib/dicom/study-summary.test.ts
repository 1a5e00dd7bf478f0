import { describe, expect, it } from "vitest";
import type { DicomHeader } from "./read-header";
import { summariseStudy, type PickedFile } from "./study-summary";

const header = (overrides: Partial<DicomHeader>): PickedFile["header"] => ({
  kind: "dicom",
  header: {
    patientName: "Doe^Jane",
    patientId: "P1",
    studyDate: "2024-03-01",
    modality: "CR",
    studyDescription: "",
    studyInstanceUid: "1.2.3",
    seriesInstanceUid: "1.2.3.1",
    seriesDescription: "",
    sopClassUid: "1.2.840.10008.5.1.4.1.1.1",
    sopInstanceUid: "1.2.3.1.1",
    transferSyntaxUid: "1.2.840.10008.1.2.1",
    ...overrides,
  },
});

describe("summariseStudy", () => {
  it("lists each patient, date and modality once, counts files, size and non-DICOM files", () => {
    const summary = summariseStudy([
      { name: "a", size: 100, header: header({}) },
      { name: "b", size: 50, header: header({ modality: "DX" }) },
      { name: "c", size: 25, header: header({ modality: "CR" }) },
      { name: "notes.txt", size: 5, header: { kind: "not-dicom" } },
    ]);
    expect(summary).toEqual({
      patientNames: ["Doe^Jane"],
      patientIds: ["P1"],
      studyDates: ["2024-03-01"],
      modalities: ["CR", "DX"],
      studyCount: 1,
      fileCount: 4,
      totalBytes: 180,
      notDicomCount: 1,
    });
  });

  it("files from two patients show both names", () => {
    const summary = summariseStudy([
      { name: "a", size: 1, header: header({}) },
      {
        name: "b",
        size: 1,
        header: header({ patientName: "Roe^Richard", studyInstanceUid: "9.9" }),
      },
    ]);
    expect(summary.patientNames).toEqual(["Doe^Jane", "Roe^Richard"]);
    expect(summary.studyCount).toBe(2);
  });
});
