// Reads back what storescp wrote (Part 10 files) for byte comparisons in the storescp tests.
// Test support only.
import fs from "node:fs";
import path from "node:path";
import { readU16le, readU32le } from "../bytes";
import { readInstanceInfo } from "../part10";

/** Where a source file's data set starts, read from its group length, not by the code under test. */
export function dataSetStart(bytes: Uint8Array): number {
  const dicm = String.fromCharCode(...bytes.subarray(128, 132)) === "DICM";
  if (!dicm) return 0; // a bare data set: the whole file is sent
  if (readU16le(bytes, 132) !== 0x0002 || readU16le(bytes, 134) !== 0x0000) {
    throw new Error("a Part 10 file without (0002,0000) group length first");
  }
  return 144 + readU32le(bytes, 140);
}

/** Every file storescp wrote, as its data set (what follows the meta it wrote) by "uid|syntax". */
export function written(outputDir: string): Map<string, Uint8Array[]> {
  const out = new Map<string, Uint8Array[]>();
  for (const name of fs.readdirSync(outputDir)) {
    const bytes = new Uint8Array(fs.readFileSync(path.join(outputDir, name)));
    const result = readInstanceInfo(bytes, bytes.length);
    if (result.kind !== "ok") throw new Error(`storescp wrote an unreadable file ${name}`);
    const key = `${result.info.sopInstanceUid}|${result.info.transferSyntaxUid}`;
    out.set(key, [...(out.get(key) ?? []), bytes.subarray(dataSetStart(bytes))]);
  }
  return out;
}

/** What went on the wire: the data set, plus one NUL when its length is odd (PS3.5 A.5). */
export function onTheWire(dataSet: Uint8Array): Uint8Array {
  if (dataSet.length % 2 === 0) return dataSet;
  const padded = new Uint8Array(dataSet.length + 1);
  padded.set(dataSet);
  return padded;
}
