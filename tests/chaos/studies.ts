// The studies the fault matrix sends: real files from tests/fixtures/dicom (the 3-slice CT study
// or one single-file study) or a synthetic CT study with files of several chunks. Real files get
// fresh Study/Series/SOP Instance UIDs (dcmtk's dcmodify, pixel data and every other tag kept) so
// each scenario's study is its own in Orthanc: a lost or doubled instance cannot hide behind an
// earlier scenario's copy. Node only.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import dicomParser from "dicom-parser";
import { writeSyntheticStudy } from "../support/stack";
import type { Rng } from "./prng";

export interface ChaosStudy {
  /** What it is, for the log: "ct-3slice", "rtdose", "synthetic 3x512 KB". */
  label: string;
  files: string[];
  sopUids: string[];
  studyUid: string;
  /** Each file's size, in the order of `files`. */
  sizes: number[];
  bytes: number;
  /** Strings that identify the patient: none may stay in IndexedDB after confirmation. */
  phi: string[];
}

const REAL: Record<string, string[]> = {
  "ct-3slice": ["01.dcm", "02.dcm", "03.dcm"].map((f) => `study/dcmqi_ct_3slice_seg/${f}`),
  "ct-small": ["transfer_syntax/explicit_vr_le/CT_small.dcm"],
  "mr-small": ["transfer_syntax/explicit_vr_le/MR_small.dcm"],
  rtdose: ["multiframe/rtdose.dcm"],
  "chr-fren": ["charset/chrFren.dcm"],
};

const newUid = () => `2.25.${BigInt(`0x${randomBytes(16).toString("hex")}`).toString(10)}`;

/** Patient names by fixture path, from MANIFEST.tsv (its `patient_name_utf8` column). */
function manifestNames(fixtures: string): Map<string, string> {
  const [header = "", ...rows] = readFileSync(path.join(fixtures, "MANIFEST.tsv"), "utf8")
    .trimEnd()
    .split("\n");
  const columns = header.split("\t");
  const pathAt = columns.indexOf("path");
  const nameAt = columns.indexOf("patient_name_utf8");
  const names = new Map<string, string>();
  for (const row of rows) {
    const cells = row.split("\t");
    names.set((cells[pathAt] ?? "").replace(/^files\//, ""), cells[nameAt] ?? "");
  }
  return names;
}

function tags(file: string) {
  const data = dicomParser.parseDicom(new Uint8Array(readFileSync(file)), {
    untilTag: "x00200010",
  });
  return { sopUid: data.string("x00080018") ?? "", patientId: data.string("x00100020") ?? "" };
}

/** Name parts and ids long enough not to match by accident. */
function phiStrings(values: string[]): string[] {
  const parts = values.flatMap((v) => v.split(/[\^= ]/)).map((p) => p.trim());
  return [...new Set(parts.filter((p) => p.length > 2 && p !== "-"))];
}

export function prepareStudy(rng: Rng, dir: string, fixtures: string): ChaosStudy {
  mkdirSync(dir, { recursive: true });
  if (rng.next() < 0.4) {
    const count = rng.int(2, 3);
    const size = rng.int(300, 700) * 1000;
    const synthetic = writeSyntheticStudy(dir, count, size);
    const first = readFileSync(synthetic.files[0]!);
    const studyUid = dicomParser.parseDicom(new Uint8Array(first)).string("x0020000d") ?? "";
    return {
      label: `synthetic ${count}x${Math.round(size / 1000)} KB`,
      files: synthetic.files,
      sopUids: synthetic.sopUids,
      studyUid,
      sizes: synthetic.files.map((f) => statSync(f).size),
      bytes: synthetic.bytes,
      phi: phiStrings([synthetic.patientName, synthetic.patientId]),
    };
  }
  const label = rng.pick(Object.keys(REAL));
  const sources = REAL[label] ?? [];
  const names = manifestNames(fixtures);
  const [studyUid, seriesUid] = [newUid(), newUid()];
  const files: string[] = [];
  const phi: string[] = [];
  for (const source of sources) {
    const file = path.join(dir, path.basename(source));
    copyFileSync(path.join(fixtures, source), file);
    // dcmodify rewrites the data set in its own transfer syntax and updates the meta header.
    execFileSync("dcmodify", [
      "-nb",
      "-gin",
      "-m",
      `(0020,000d)=${studyUid}`,
      "-m",
      `(0020,000e)=${seriesUid}`,
      file,
    ]);
    files.push(file);
    phi.push(names.get(source) ?? "", tags(file).patientId, path.basename(source));
  }
  return {
    label,
    files,
    sopUids: files.map((f) => tags(f).sopUid),
    studyUid,
    sizes: files.map((f) => statSync(f).size),
    bytes: files.reduce((n, f) => n + statSync(f).size, 0),
    phi: phiStrings(phi),
  };
}
