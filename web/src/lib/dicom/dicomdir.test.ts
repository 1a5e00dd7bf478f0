import { describe, expect, it } from "vitest";
import { fixtureBytes, manifest, value } from "../../../tests/fixtures/intake/load";
import { dicomdirReferences } from "./dicomdir";

const FOLDER = "dicomdir/pydicom_dicomdirtests/";
// The files of this CD export, as the corpus MANIFEST lists them (the DICOMDIR indexes them all).
const onDisc = manifest("intake")
  .filter((row) => row.path.startsWith(FOLDER) && value(row, "sop_instance_uid"))
  .map((row) => row.path.slice(FOLDER.length))
  .sort();

describe("dicomdirReferences", () => {
  it.each(["DICOMDIR", "DICOMDIR-bigEnd", "DICOMDIR-implicit"])(
    "%s lists every file of the disc, as folder paths",
    (name) => {
      expect(dicomdirReferences(fixtureBytes("intake", FOLDER + name)).sort()).toEqual(onDisc);
    },
  );

  it("an empty DICOMDIR lists nothing; bytes that are not DICOM list nothing", () => {
    expect(dicomdirReferences(fixtureBytes("intake", `${FOLDER}DICOMDIR-empty.dcm`))).toEqual([]);
    expect(dicomdirReferences(new TextEncoder().encode("not a directory"))).toEqual([]);
  });
});
