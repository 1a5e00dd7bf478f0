// Store sources for Node tests: a file in memory streamed in chunks of a chosen size, and fixture
// files from tests/fixtures/dicom with their MANIFEST row. Test support only.
import fs from "node:fs";
import path from "node:path";
import type { StoreSource } from "../types";

export const FIXTURES_DIR = path.resolve(import.meta.dirname, "../../../../tests/fixtures/dicom");

export function streamOf(bytes: Uint8Array, chunkSize: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + chunkSize));
      at += chunkSize;
    },
  });
}

export function bytesSource(fileIndex: number, bytes: Uint8Array, chunkSize = 4096): StoreSource {
  return { fileIndex, size: bytes.length, open: () => Promise.resolve(streamOf(bytes, chunkSize)) };
}

export interface ManifestRow {
  path: string;
  transferSyntaxUid: string;
  sopClassUid: string;
  sopInstanceUid: string;
}

/** Rows of tests/fixtures/dicom/MANIFEST.tsv, paths relative to that folder. */
export function manifest(): ManifestRow[] {
  const [header, ...lines] = fs
    .readFileSync(path.join(FIXTURES_DIR, "MANIFEST.tsv"), "utf8")
    .trimEnd()
    .split("\n");
  const columns = (header ?? "").split("\t");
  const col = (cells: string[], name: string) => cells[columns.indexOf(name)] ?? "";
  return lines.map((line) => {
    const cells = line.split("\t");
    return {
      path: col(cells, "path").replace(/^files\//, ""),
      transferSyntaxUid: col(cells, "transfer_syntax_uid"),
      sopClassUid: col(cells, "sop_class_uid"),
      sopInstanceUid: col(cells, "sop_instance_uid"),
    };
  });
}

export function fixtureBytes(relPath: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(path.join(FIXTURES_DIR, relPath)));
}

export { syntheticSource } from "./synthetic";
