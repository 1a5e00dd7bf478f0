import { describe, expect, it } from "vitest";
import type { DicomHeader } from "../dicom/read-header";
import { duplicateWarnings, listNames, notImageWarning, studyWarnings } from "./checks";
import { entryFromBytes } from "./entry";
import { groupStudies, settleDuplicates, type ScannedInstance } from "./group";
import { rejected } from "./problems";

let serial = 0;

/** A parsed file of series 1.2.3.4 in study 1.2.3 unless told otherwise. */
function instance(
  header: Partial<DicomHeader> = {},
  extra: Partial<ScannedInstance> = {},
): ScannedInstance {
  serial += 1;
  const path = extra.path ?? `CD/IM${serial}`;
  return {
    path,
    size: 100,
    entry: entryFromBytes(path, new Uint8Array(100)),
    header: {
      patientName: "Doe^Jane",
      patientId: "P1",
      studyDate: "2024-03-01",
      modality: "CT",
      studyDescription: "Chest",
      studyInstanceUid: "1.2.3",
      seriesInstanceUid: "1.2.3.4",
      seriesDescription: "Axial",
      seriesNumber: 2,
      sopClassUid: "1.2.840.10008.5.1.4.1.1.2",
      sopInstanceUid: `1.2.3.4.${serial}`,
      transferSyntaxUid: "1.2.840.10008.1.2.1",
      ...header,
    },
    ...extra,
  };
}

const series = (count: number, numbers = (i: number) => i + 1, header: Partial<DicomHeader> = {}) =>
  Array.from({ length: count }, (_, i) => instance({ instanceNumber: numbers(i), ...header }));

describe("groupStudies", () => {
  it("groups by study, then series, with counts, bytes, modalities and one patient", () => {
    const ct = series(3);
    const scout = series(1, () => 1, {
      seriesInstanceUid: "1.2.3.5",
      seriesNumber: 1,
      seriesDescription: "Scout",
    });
    const mr = series(2, (i) => i + 1, {
      studyInstanceUid: "9.9",
      seriesInstanceUid: "9.9.1",
      modality: "MR",
      studyDate: "2023-01-01",
    });
    const studies = groupStudies([...ct, ...mr, ...scout]);
    expect(
      studies.map((s) => [s.studyInstanceUid, s.instanceCount, s.bytes, s.modalities]),
    ).toEqual([
      ["1.2.3", 4, 400, ["CT"]],
      ["9.9", 2, 200, ["MR"]],
    ]);
    const [chest] = studies;
    expect(chest).toMatchObject({
      patientName: "Doe^Jane",
      patientId: "P1",
      studyDate: "2024-03-01",
      description: "Chest",
    });
    expect(
      chest?.series.map((s) => [s.seriesNumber, s.description, s.modality, s.instanceCount]),
    ).toEqual([
      [1, "Scout", "CT", 1],
      [2, "Axial", "CT", 3],
    ]);
    expect(chest?.patients).toEqual([{ name: "Doe^Jane", id: "P1" }]);
  });

  it("a series holding objects of several modalities (an SR beside its images) lists each", () => {
    const [study] = groupStudies([
      instance({ modality: "OT" }),
      instance({ modality: "SR", sopClassUid: "1.2.840.10008.5.1.4.1.1.88.34" }),
      instance({ modality: "SEG", seriesInstanceUid: "1.2.3.9", seriesNumber: 9 }),
    ]);
    expect(study?.series.map((s) => s.modality)).toEqual(["OT, SR", "SEG"]);
    expect(study?.modalities).toEqual(["OT", "SR", "SEG"]);
  });

  it("orders a series' instances by instance number", () => {
    const shuffled = series(4, (i) => [3, 1, 4, 2][i]!);
    const [study] = groupStudies(shuffled);
    expect(study?.series[0]?.instances.map((i) => i.header.instanceNumber)).toEqual([1, 2, 3, 4]);
  });
});

describe("settleDuplicates", () => {
  it("drops an exact copy and keeps the first; a different file under the same UID is a conflict", () => {
    const original = instance({ sopInstanceUid: "1.1" }, { digest: "aa", path: "CD/a" });
    const copy = instance({ sopInstanceUid: "1.1" }, { digest: "aa", path: "USB/a" });
    const other = instance({ sopInstanceUid: "1.1" }, { digest: "bb", path: "mail/a" });
    const unique = instance({ sopInstanceUid: "2.2" });
    const result = settleDuplicates([original, copy, other, unique]);
    expect(result.kept).toEqual([original, unique]);
    expect(result.dropped).toEqual([{ instance: copy, keptPath: "CD/a" }]);
    expect(result.conflicts).toEqual([{ instance: other, keptPath: "CD/a" }]);
    expect(duplicateWarnings(result).map((w) => [w.code, w.message])).toEqual([
      [
        "duplicates-dropped",
        "1 file is an exact copy of another file and will be sent once: USB/a.",
      ],
      [
        "duplicate-conflict",
        "mail/a and CD/a claim to be the same image but differ; only CD/a will be sent.",
      ],
    ]);
  });

  it("without digests, files of the same UID are never assumed identical", () => {
    const result = settleDuplicates([
      instance({ sopInstanceUid: "3" }),
      instance({ sopInstanceUid: "3" }),
    ]);
    expect(result.conflicts).toHaveLength(1);
  });
});

describe("completeness warnings, one plain line each", () => {
  const codes = (instances: ScannedInstance[]) =>
    studyWarnings(groupStudies(instances)).map((w) => w.code);

  it("gaps in instance numbers name the missing ones", () => {
    const [warning] = studyWarnings(groupStudies(series(6, (i) => [1, 2, 4, 7, 8, 10][i]!)));
    expect(warning).toMatchObject({ code: "instance-gap", seriesInstanceUid: "1.2.3.4" });
    expect(warning?.message).toBe(
      "Series 2 (CT, Axial): 4 images seem to be missing (numbers 3, 5, 6 and 9; 6 of 1 to 10 found).",
    );
  });

  it("no gap warning for a complete series, repeated numbers, or missing numbers", () => {
    expect(codes(series(5))).toEqual([]);
    expect(codes(series(4, (i) => [1, 1, 3, 3][i]!))).toEqual([]);
    expect(
      codes([instance({ instanceNumber: 1 }), instance({ instanceNumber: undefined })]),
    ).toEqual([]);
  });

  it("fewer images than Number of Series Related Instances declares", () => {
    const [warning] = studyWarnings(
      groupStudies(series(3, (i) => i + 1, { seriesRelatedInstances: 5 })),
    );
    expect(warning).toMatchObject({ code: "fewer-than-declared" });
    expect(warning?.message).toBe("Series 2 (CT, Axial) says it has 5 images, but 3 were found.");
  });

  it("fewer images than Images in Acquisition declares, counted per acquisition", () => {
    const first = series(4, (i) => i + 1, { acquisitionNumber: 1, imagesInAcquisition: 4 });
    const second = series(2, (i) => i + 5, { acquisitionNumber: 2, imagesInAcquisition: 3 });
    const [warning] = studyWarnings(groupStudies([...first, ...second]));
    expect(warning?.message).toBe(
      "Series 2 (CT, Axial) says an acquisition has 3 images, but 2 were found.",
    );
    expect(codes(first)).toEqual([]);
  });

  it("several patients under one study", () => {
    const warnings = studyWarnings(
      groupStudies([instance(), instance({ patientName: "Roe^Rick", patientId: "P2" })]),
    );
    expect(warnings.map((w) => w.message)).toEqual([
      "One study holds images of 2 different patients (Doe^Jane, ID P1 and Roe^Rick, ID P2): check that these files belong together.",
    ]);
  });

  it("files that are not DICOM are named", () => {
    const left = [
      rejected("notes.txt", { code: "not-an-image" }),
      rejected("photo.jpg", { code: "photo", format: "JPEG" }),
      rejected("IM9", { code: "dicom-cut-short" }),
    ];
    expect(notImageWarning(left).map((w) => w.message)).toEqual([
      "2 files are not images we can send and will be left out: notes.txt and photo.jpg.",
    ]);
    expect(notImageWarning([])).toEqual([]);
  });

  it("long lists are cut short", () => {
    expect(listNames(["a", "b", "c", "d", "e"])).toBe("a, b, c and 2 more");
    expect(listNames(["a", "b"])).toBe("a and b");
  });
});
