import { describe, expect, it } from "vitest";
import {
  fixtureBytes,
  manifest,
  value,
  type ManifestRow,
} from "../../../tests/fixtures/intake/load";
import { entryFromBytes, type IntakeEntry } from "./entry";
import { scanIntakeToEnd } from "./scan";

// A CD export (pydicom's dicomdirtests): its DICOMDIR plus 31 files of two patients. Expected
// values come from the corpus MANIFEST (UIDs, names) and from dcmdump's reading (DCMDUMP.tsv).
const FOLDER = "dicomdir/pydicom_dicomdirtests/";
const rows = manifest("intake").filter(
  (row) => row.path.startsWith(FOLDER) && value(row, "sop_instance_uid") !== undefined,
);
const dumped = new Map(manifest("intake", "DCMDUMP.tsv").map((row) => [row.path, row]));

const onDisc = (row: ManifestRow) => `CD/${row.path.slice(FOLDER.length)}`;
const entry = (path: string, fixture: string): IntakeEntry =>
  entryFromBytes(path, fixtureBytes("intake", fixture));
const cd = (keep: (row: ManifestRow) => boolean = () => true): IntakeEntry[] => [
  entry("CD/DICOMDIR", `${FOLDER}DICOMDIR`),
  ...rows.filter(keep).map((row) => entry(onDisc(row), row.path)),
];

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) map.set(key(item), [...(map.get(key(item)) ?? []), item]);
  return map;
}

describe("scanIntake on a whole CD", () => {
  it("groups studies and series as the MANIFEST lists them", async () => {
    const result = await scanIntakeToEnd(cd());
    expect(result.rejected).toEqual([]);
    const byStudy = groupBy(rows, (row) => value(row, "study_instance_uid") ?? "");
    expect(result.studies.map((s) => s.studyInstanceUid).sort()).toEqual(
      [...byStudy.keys()].sort(),
    );
    for (const study of result.studies) {
      const expected = byStudy.get(study.studyInstanceUid) ?? [];
      expect(study.instanceCount).toBe(expected.length);
      expect(study.bytes).toBe(expected.reduce((sum, row) => sum + Number(row.size_bytes), 0));
      expect(study.patientName).toBe(value(expected[0]!, "patient_name_utf8"));
      expect(study.modalities.sort()).toEqual(
        [...new Set(expected.map((r) => value(r, "modality")))].sort(),
      );
      const bySeries = groupBy(expected, (row) => value(row, "series_instance_uid") ?? "");
      expect(study.series.map((s) => [s.seriesInstanceUid, s.instanceCount]).sort()).toEqual(
        [...bySeries].map(([uid, members]) => [uid, members.length]).sort(),
      );
    }
  });

  it("the DICOMDIR is not sent, and says all files it lists were found", async () => {
    const result = await scanIntakeToEnd(cd());
    const paths = result.studies.flatMap((s) =>
      s.series.flatMap((se) => se.instances.map((i) => i.path)),
    );
    expect(paths).not.toContain("CD/DICOMDIR");
    expect(result.dicomdirsIgnored).toEqual([
      expect.objectContaining({
        path: "CD/DICOMDIR",
        referencedFiles: rows.length,
        missingFiles: [],
      }),
    ]);
    expect(result.dicomdirsIgnored[0]?.message).toMatch(/not an image, so it is not sent/);
  });

  it("a CD copied in part: the DICOMDIR names what is missing", async () => {
    const left = rows
      .filter((row) => row.path.includes("/CT5N/"))
      .map((row) => row.path.slice(FOLDER.length));
    const result = await scanIntakeToEnd(cd((row) => !row.path.includes("/CT5N/")));
    expect(result.dicomdirsIgnored[0]?.missingFiles.sort()).toEqual(left.sort());
    expect(result.warnings).toContainEqual(
      expect.objectContaining({
        code: "dicomdir-missing-files",
        message: expect.stringContaining(
          `${left.length} of the ${rows.length} files it lists are missing`,
        ),
      }),
    );
  });

  it("warns of the series dcmdump shows incomplete, and of no other", async () => {
    // Independent expectations from dcmdump's numbers: a gap when the instance numbers of a
    // series are unique but not consecutive; short when Images in Acquisition exceeds the count.
    const expected = new Set<string>();
    const bySeries = groupBy(rows, (row) => value(row, "series_instance_uid") ?? "");
    for (const [uid, members] of bySeries) {
      const dump = members.map((row) => dumped.get(row.path)!);
      const numbers = dump.map((d) => Number(value(d, "instance_number")));
      if (
        new Set(numbers).size === numbers.length &&
        Math.max(...numbers) - Math.min(...numbers) + 1 > numbers.length
      ) {
        expected.add(`instance-gap ${uid}`);
      }
      const byAcquisition = groupBy(dump, (d) => value(d, "acquisition_number") ?? "");
      for (const acquisition of byAcquisition.values()) {
        const declared = Math.max(
          0,
          ...acquisition.map((d) => Number(value(d, "images_in_acquisition") ?? 0)),
        );
        if (declared > acquisition.length) expected.add(`fewer-than-declared ${uid}`);
      }
    }
    expect(expected.size).toBeGreaterThan(1); // this CD has both kinds
    const result = await scanIntakeToEnd(cd());
    const found = result.warnings.map((w) => `${w.code} ${w.seriesInstanceUid}`);
    expect(new Set(found)).toEqual(expected);
  });
});

describe("scanIntake adds objects made later to the study they belong to", () => {
  it("segmentations made from the CD's CT join its study as a new series", async () => {
    const segs = manifest("intake").filter((row) =>
      row.path.startsWith("study/doe_archibald_seg/"),
    );
    const result = await scanIntakeToEnd([
      ...cd(),
      ...segs.map((row) => entry(row.path, row.path)),
    ]);
    const studyUid = value(segs[0]!, "study_instance_uid");
    const study = result.studies.find((s) => s.studyInstanceUid === studyUid);
    const ct = rows.filter((row) => value(row, "study_instance_uid") === studyUid);
    expect(study?.instanceCount).toBe(ct.length + segs.length);
    expect(study?.modalities).toContain("SEG");
  });
});
