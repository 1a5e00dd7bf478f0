import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseHeader, readHeader } from "./read-header";

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../../tests/fixtures/dicom/${name}`, import.meta.url)));

describe("parseHeader", () => {
  it("reads patient, study date, modality and description from a Part 10 file", () => {
    expect(parseHeader(fixture("CT_small.dcm"))).toMatchObject({
      kind: "dicom",
      header: {
        patientName: "CompressedSamples^CT1",
        patientId: "1CT1",
        studyDate: "2004-01-19",
        modality: "CT",
        studyDescription: "e+1",
        studyInstanceUid: "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322",
      },
    });
  });

  it("reads the study attributes the app copies into the objects it adds (as dcmdump shows them)", () => {
    expect(parseHeader(fixture("CT_small.dcm"))).toMatchObject({
      header: {
        patientBirthDate: "",
        patientSex: "O",
        studyTime: "072730",
        accessionNumber: "",
        referringPhysicianName: "",
        studyId: "1CT1",
      },
    });
  });

  it("decodes an ISO_IR 100 (Latin-1) patient name", () => {
    const result = parseHeader(fixture("chrFren.dcm"));
    expect(result.kind === "dicom" && result.header.patientName).toBe("Buc^Jérôme");
  });

  it("decodes an ISO_IR 192 (UTF-8) patient name", () => {
    const result = parseHeader(fixture("chrX1.dcm"));
    expect(result.kind === "dicom" && result.header.patientName).toBe("Wang^XiaoDong=王^小東=");
  });

  it("reads a bare data set written without preamble or file meta", () => {
    const result = parseHeader(fixture("rtstruct.dcm"));
    expect(result.kind === "dicom" && result.header.patientName).toBe("Test^Phantom30sep");
  });

  it("a header cut short by the slice still yields the fields read before the cut", () => {
    const whole = fixture("CT_small.dcm");
    const cut = whole.subarray(0, 1200);
    const result = parseHeader(cut);
    expect(result.kind).toBe("dicom");
    expect(result.kind === "dicom" && result.header.patientName).toBe("CompressedSamples^CT1");
  });

  it("a file that is not DICOM is reported as such", () => {
    expect(
      parseHeader(new TextEncoder().encode("Patient notes: see attached scan.\n".repeat(20))),
    ).toEqual({
      kind: "not-dicom",
    });
    expect(parseHeader(new Uint8Array(0))).toEqual({ kind: "not-dicom" });
    expect(parseHeader(new Uint8Array(4096).fill(0xff))).toEqual({ kind: "not-dicom" });
  });
});

describe("readHeader", () => {
  it("reads only the first slice of the file", async () => {
    const bytes = fixture("CT_small.dcm");
    const blob = new Blob([bytes]);
    const sliced: [number | undefined, number | undefined][] = [];
    const spy = {
      slice: (start?: number, end?: number) => (sliced.push([start, end]), blob.slice(start, end)),
    };
    const result = await readHeader(spy, 4096);
    expect(sliced).toEqual([[0, 4096]]);
    expect(result.kind === "dicom" && result.header.modality).toBe("CT");
  });
});
