import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fixtureBytes, manifest, value } from "../../../tests/fixtures/intake/load";
import { dciodvfy } from "../dicom-write/dicom-tools.testing";
import { readPart10 } from "../dicom-write/part10";
import { entryFromBlob, entryFromBytes } from "./entry";
import { IMPRESSION_FILE_NAME, outgoingFiles, PhotoNotConverted, studyHeaderOf } from "./outgoing";
import { scanIntakeToEnd } from "./scan";

const photo = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../../tests/fixtures/photos/${name}`, import.meta.url)));
const ctPath = "transfer_syntax/explicit_vr_le/CT_small.dcm";
const ct = fixtureBytes("root", ctPath);
const ctRow = manifest("root").find((row) => row.path.endsWith("/CT_small.dcm"))!;
const now = new Date(2024, 4, 6, 10, 20, 30);
const bytesOf = async (file: File) => new Uint8Array(await file.arrayBuffer());

async function ctStudy() {
  const file = new File([new Uint8Array(ct)], "CT_small.dcm");
  const result = await scanIntakeToEnd([entryFromBlob("CT_small.dcm", file)]);
  return { file, study: result.studies[0]! };
}

describe("outgoingFiles for a picked study", () => {
  it("sends the picked File itself, then a photo and the SR filed in the same study", async () => {
    const { file, study } = await ctStudy();
    const files = await outgoingFiles({
      instances: study.series.flatMap((s) => s.instances),
      photos: [
        { name: "wound.jpg", entry: entryFromBytes("wound.jpg", photo("gray-baseline.jpg")) },
      ],
      subject: { kind: "existing-study", study: studyHeaderOf(study) },
      impression: "Wound healing well.",
      author: "Okafor^Ada",
      now,
    });
    expect(files.map((f) => f.name)).toEqual(["CT_small.dcm", "photo-1.dcm", IMPRESSION_FILE_NAME]);
    expect(files[0]).toBe(file);
    for (const written of files.slice(1)) {
      const bytes = await bytesOf(written);
      expect(dciodvfy(bytes).errors, written.name).toEqual([]);
      expect(readPart10(bytes).dataset).toMatchObject({
        StudyInstanceUID: value(ctRow, "study_instance_uid"),
        PatientName: [{ Alphabetic: value(ctRow, "patient_name_utf8") }],
        StudyDate: value(ctRow, "study_date"),
      });
    }
  });

  it("writes no SR when the impression is blank", async () => {
    const { study } = await ctStudy();
    const files = await outgoingFiles({
      instances: study.series.flatMap((s) => s.instances),
      photos: [],
      subject: { kind: "existing-study", study: studyHeaderOf(study) },
      impression: "  \n ",
      now,
    });
    expect(files.map((f) => f.name)).toEqual(["CT_small.dcm"]);
  });

  it("an archive member goes as a File over its stored bytes, byte-identical", async () => {
    const result = await scanIntakeToEnd([entryFromBytes("cd/IM0001", ct)]);
    const [file] = await outgoingFiles({
      instances: result.studies[0]!.series[0]!.instances,
      photos: [],
      subject: { kind: "existing-study", study: studyHeaderOf(result.studies[0]!) },
      impression: "",
      now,
    });
    expect(file?.name).toBe("IM0001");
    expect(Buffer.from(await bytesOf(file!)).equals(Buffer.from(ct))).toBe(true);
  });
});

describe("outgoingFiles for photos alone", () => {
  const patient = { patientName: "Doe^Jane", patientId: "P-7", patientSex: "F" };

  it("makes one new study of the form's patient: photos in one series, the SR beside them", async () => {
    const files = await outgoingFiles({
      instances: [],
      photos: [
        { name: "a.png", entry: entryFromBytes("a.png", photo("rgb8.png")) },
        { name: "b.jpg", entry: entryFromBytes("b.jpg", photo("color-baseline-444.jpg")) },
      ],
      subject: { kind: "new-study", patient, description: "Burn, left hand" },
      impression: "Second-degree burn.",
      now,
    });
    const sets = await Promise.all(files.map(async (f) => readPart10(await bytesOf(f)).dataset));
    const [a, b, sr] = sets;
    expect(files.map((f) => f.name)).toEqual(["photo-1.dcm", "photo-2.dcm", IMPRESSION_FILE_NAME]);
    expect(a?.["StudyInstanceUID"]).toBe(b?.["StudyInstanceUID"]);
    expect(sr?.["StudyInstanceUID"]).toBe(a?.["StudyInstanceUID"]);
    expect(a?.["SeriesInstanceUID"]).toBe(b?.["SeriesInstanceUID"]);
    expect(a).toMatchObject({ PatientID: "P-7", StudyDescription: "Burn, left hand" });
    expect(sr).toMatchObject({
      PatientID: "P-7",
      PatientName: [{ Alphabetic: "Doe^Jane" }],
      StudyDate: "20240506",
    });
    for (const file of files) expect(dciodvfy(await bytesOf(file)).errors).toEqual([]);
  });

  it("a photo the writer refuses is named with its reason", async () => {
    const request = {
      instances: [],
      photos: [{ name: "p.jpg", entry: entryFromBytes("p.jpg", photo("progressive.jpg")) }],
      subject: { kind: "new-study", patient, description: "" } as const,
      impression: "",
      now,
    };
    await expect(outgoingFiles(request)).rejects.toEqual(
      new PhotoNotConverted("p.jpg", "progressive-jpeg"),
    );
  });
});
