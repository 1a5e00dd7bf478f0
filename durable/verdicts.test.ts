import { describe, expect, it } from "vitest";
import { decideVerdicts, isAllowedSopClass, type FileFacts } from "./verdicts";

const CT = "1.2.840.10008.5.1.4.1.1.2";
const dicom = (
  index: number,
  sop: string,
  study = "1.2.3",
  sha = `s${index}`,
  sopClass = CT,
): FileFacts => ({
  index,
  sha256: sha,
  checksumMatches: true,
  header: {
    ok: true,
    sopClassUid: sopClass,
    sopInstanceUid: sop,
    studyInstanceUid: study,
    isDicomdir: false,
  },
});

describe("file verdicts at complete", () => {
  it("good files are accepted and one bad file does not block them", () => {
    const s = decideVerdicts([
      dicom(0, "1.1"),
      {
        index: 1,
        sha256: "x",
        checksumMatches: true,
        header: { ok: false, code: "not_dicom", message: "Not DICOM." },
      },
      dicom(2, "1.2"),
    ]);
    expect(s.verdicts.get(0)?.accepted).toBe(true);
    expect(s.verdicts.get(1)).toEqual({
      accepted: false,
      code: "not_dicom",
      message: "Not DICOM.",
    });
    expect(s.verdicts.get(2)?.accepted).toBe(true);
  });

  it("a whole-file checksum mismatch asks for that file again", () => {
    const s = decideVerdicts([{ ...dicom(0, "1.1"), checksumMatches: false }, dicom(1, "1.2")]);
    expect(s.needsReupload).toEqual([0]);
    expect(s.verdicts.get(0)?.code).toBe("checksum_mismatch");
  });

  it("a DICOMDIR is never forwarded, and says why", () => {
    const s = decideVerdicts([dicom(0, "1.1", "1.2.3", "a", "1.2.840.10008.1.3.10")]);
    expect(s.verdicts.get(0)).toMatchObject({ accepted: false, code: "dicomdir" });
  });

  it("the same SOP Instance UID twice: same bytes sent once, different bytes flagged", () => {
    const s = decideVerdicts([
      dicom(0, "1.1", "1.2.3", "same"),
      dicom(1, "1.1", "1.2.3", "same"),
      dicom(2, "1.1", "1.2.3", "other"),
    ]);
    expect(s.verdicts.get(0)?.accepted).toBe(true);
    expect(s.verdicts.get(1)?.code).toBe("duplicate_file");
    expect(s.verdicts.get(2)?.code).toBe("duplicate_instance_conflict");
  });

  it("files of several studies are reported, not silently mixed", () => {
    const s = decideVerdicts([dicom(0, "1.1", "A"), dicom(1, "1.2", "B")]);
    expect(s.studies).toEqual(["A", "B"]);
    expect(s.warnings[0]).toMatch(/2 different studies/);
  });

  it("SOP classes outside the destination's allow-list are refused", () => {
    const s = decideVerdicts(
      [dicom(0, "1.1"), dicom(1, "1.2", "1.2.3", "b", "1.2.840.10008.5.1.4.1.1.7")],
      [CT],
    );
    expect(s.verdicts.get(0)?.accepted).toBe(true);
    expect(s.verdicts.get(1)?.code).toBe("sop_class_not_allowed");
  });

  it("by default every storage SOP class is allowed, non-storage standard classes are not", () => {
    expect(isAllowedSopClass(CT, undefined)).toBe(true);
    expect(isAllowedSopClass("1.3.12.2.1107.5.9.1", undefined)).toBe(true);
    expect(isAllowedSopClass("1.2.840.10008.1.20.1", undefined)).toBe(false);
  });
});
