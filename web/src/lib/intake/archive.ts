// Archive expansion in the current thread: the core that the Web Worker runs, and what Node
// tests (and a page without workers) use directly.
import type { ArchiveExpander } from "./archive-types";
import { expandRar, type RarOptions } from "./rar";
import { expandZip } from "./zip-stream";

export function expandArchiveHere(options: RarOptions = {}): ArchiveExpander {
  return (archive, format, limits) =>
    format === "zip" ? expandZip(archive, limits) : expandRar(archive, limits, options);
}
