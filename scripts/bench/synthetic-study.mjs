// Writes a synthetic study for the benchmarks: N valid DICOM Part 10 files (explicit VR little
// endian, CT Image Storage, one study, one series, fresh 2.25 UIDs, random pixel data) into a
// directory. Files are written piece by piece; no file and no study is ever held whole in memory.
// No PHI: the patient is "BENCH^SYNTHETIC".
import { createHash, randomFillSync } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import {
  CT_IMAGE_STORAGE,
  element,
  elementHeader,
  filePreamble,
  newUid,
} from "../lib/synthetic-dicom.mjs";

const PIXEL_PIECE = 1024 * 1024;

/** Rows and columns of a 16-bit image making a file of about `fileBytes`. */
export function imageSide(fileBytes) {
  const side = Math.floor(Math.sqrt(Math.max(2, fileBytes - 2048) / 2));
  return Math.max(8, side - (side % 2));
}

/** Everything before the pixel data's value: preamble, meta group and the data set's header. */
function headerBytes({ studyUid, seriesUid, frameUid, sopUid, number, side }) {
  const date = "20240101";
  const z = (-number * 1.25).toFixed(2);
  const dataSet = [
    element(0x0008, 0x0008, "CS", "ORIGINAL\\PRIMARY\\AXIAL"),
    element(0x0008, 0x0016, "UI", CT_IMAGE_STORAGE),
    element(0x0008, 0x0018, "UI", sopUid),
    element(0x0008, 0x0020, "DA", date),
    element(0x0008, 0x0021, "DA", date),
    element(0x0008, 0x0023, "DA", date),
    element(0x0008, 0x0030, "TM", "120000"),
    element(0x0008, 0x0031, "TM", "120000"),
    element(0x0008, 0x0033, "TM", "120000"),
    element(0x0008, 0x0050, "SH", "BENCH0001"),
    element(0x0008, 0x0060, "CS", "CT"),
    element(0x0008, 0x0070, "LO", "RelayPACS synthetic"),
    element(0x0008, 0x0090, "PN", ""),
    element(0x0008, 0x1030, "LO", "BENCH SYNTHETIC STUDY"),
    element(0x0010, 0x0010, "PN", "BENCH^SYNTHETIC"),
    element(0x0010, 0x0020, "LO", "BENCH-0001"),
    element(0x0010, 0x0030, "DA", ""),
    element(0x0010, 0x0040, "CS", "O"),
    element(0x0018, 0x0050, "DS", "1.25"),
    element(0x0018, 0x0060, "DS", "120"),
    element(0x0018, 0x5100, "CS", "HFS"),
    element(0x0020, 0x000d, "UI", studyUid),
    element(0x0020, 0x000e, "UI", seriesUid),
    element(0x0020, 0x0010, "SH", "1"),
    element(0x0020, 0x0011, "IS", "1"),
    element(0x0020, 0x0012, "IS", "1"),
    element(0x0020, 0x0013, "IS", String(number)),
    element(0x0020, 0x0020, "CS", "L\\P"),
    element(0x0020, 0x0032, "DS", `-250\\-250\\${z}`),
    element(0x0020, 0x0037, "DS", "1\\0\\0\\0\\1\\0"),
    element(0x0020, 0x0052, "UI", frameUid),
    element(0x0020, 0x0060, "CS", ""),
    element(0x0020, 0x1040, "LO", ""),
    element(0x0028, 0x0002, "US", 1),
    element(0x0028, 0x0004, "CS", "MONOCHROME2"),
    element(0x0028, 0x0010, "US", side),
    element(0x0028, 0x0011, "US", side),
    element(0x0028, 0x0030, "DS", "0.5\\0.5"),
    element(0x0028, 0x0100, "US", 16),
    element(0x0028, 0x0101, "US", 16),
    element(0x0028, 0x0102, "US", 15),
    element(0x0028, 0x0103, "US", 0),
    element(0x0028, 0x1050, "DS", "40"),
    element(0x0028, 0x1051, "DS", "400"),
    element(0x0028, 0x1052, "DS", "-1024"),
    element(0x0028, 0x1053, "DS", "1"),
    element(0x0028, 0x1054, "LO", "HU"),
    elementHeader(0x7fe0, 0x0010, "OW", side * side * 2),
  ];
  return Buffer.concat([filePreamble({ sopUid, versionName: "RELAYPACS_BENCH" }), ...dataSet]);
}

/**
 * Generates `instances` files of about `totalBytes` together into `dir`.
 * @returns {{ dir: string, studyUid: string, bytes: number,
 *   files: Array<{ path: string, name: string, size: number, sha256: string, sopUid: string }> }}
 */
export function generateStudy({ dir, instances, totalBytes }) {
  fs.mkdirSync(dir, { recursive: true });
  const side = imageSide(Math.floor(totalBytes / instances));
  const uids = { studyUid: newUid(), seriesUid: newUid(), frameUid: newUid() };
  const files = [];
  const piece = Buffer.alloc(Math.min(PIXEL_PIECE, side * side * 2));
  for (let i = 0; i < instances; i++) {
    const sopUid = newUid();
    const name = `CT${String(i + 1).padStart(5, "0")}.dcm`;
    const file = path.join(dir, name);
    const hash = createHash("sha256");
    const fd = fs.openSync(file, "w");
    try {
      const head = headerBytes({ ...uids, sopUid, number: i + 1, side });
      fs.writeSync(fd, head);
      hash.update(head);
      for (let left = side * side * 2; left > 0; left -= piece.length) {
        const part = piece.subarray(0, Math.min(left, piece.length));
        randomFillSync(part);
        fs.writeSync(fd, part);
        hash.update(part);
      }
    } finally {
      fs.closeSync(fd);
    }
    const size = fs.statSync(file).size;
    files.push({ path: file, name, size, sha256: hash.digest("hex"), sopUid });
  }
  const bytes = files.reduce((n, f) => n + f.size, 0);
  return { dir, studyUid: uids.studyUid, bytes, files };
}

/** A study made of some of another study's files (same study UID). */
export function subStudy(study, count) {
  const files = study.files.slice(0, count);
  return { ...study, files, bytes: files.reduce((n, f) => n + f.size, 0) };
}
