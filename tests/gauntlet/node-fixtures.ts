// The gauntlet's fixture loader for Node runners: tests/fixtures, and the RAR fixtures of
// web/tests/fixtures/archives under "archives/".
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Fixtures } from "./inputs";

const ROOT = path.resolve(import.meta.dirname, "../fixtures");
const ARCHIVES = path.resolve(import.meta.dirname, "../../web/tests/fixtures/archives");

export const nodeFixtures: Fixtures = (relPath) => {
  const file = relPath.startsWith("archives/")
    ? path.join(ARCHIVES, relPath.slice("archives/".length))
    : path.join(ROOT, relPath);
  return new Uint8Array(readFileSync(file));
};
