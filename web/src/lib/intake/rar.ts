// Unpacks RAR 4 and RAR 5 archives (solid too) with node-unrar-js 2.0.2, the official unrar
// compiled to WebAssembly. Its in-memory API needs the whole archive as one ArrayBuffer, so RAR
// has a size cap (ArchiveLimits.maxRarBytes). Members come out one at a time. Split (multi-volume)
// and password-protected archives are explained, not opened. Traps handled (observed with 2.0.2):
// - the library keeps every extracted file in memory until the extractor is dropped: we delete
//   each one once handed out;
// - RAR 5 "file references" (rar -oi) extract as 0 bytes without error: lengths are compared with
//   the listed sizes;
// - a symbolic link makes extraction throw a plain TypeError: the link is skipped and extraction
//   restarts after it;
// - a RAR cut short may list no entries without an error: an empty listing is a damaged archive;
// - in a browser the WASM binary must be handed over (`wasmBinary`): Vite cannot locate it.
import { createExtractorFromData, type Extractor, type FileHeader } from "node-unrar-js";
import type { ArchiveItem, ArchiveLimits, ArchiveSource } from "./archive-types";
import { isIgnoredPath, normalisePath } from "./entry";
import type { IntakeProblem } from "./problems";

export interface RarOptions {
  /** The unrar WASM binary; needed in browsers (fetch the `?url` import), not in Node. */
  wasmBinary?: () => Promise<ArrayBuffer>;
}

/** Restarts after a link or a damaged member; past this many, the archive is called damaged. */
const MAX_RESTARTS = 20;

type Failure = { reason: string; file: string | undefined };

function unrarFailure(error: unknown): Failure | null {
  if (typeof error !== "object" || error === null || !("reason" in error)) return null;
  const { reason } = error;
  const file = "file" in error && typeof error.file === "string" ? error.file : undefined;
  return typeof reason === "string" ? { reason, file } : null;
}

function archiveProblem(reason: string): IntakeProblem {
  if (reason === "ERAR_MISSING_PASSWORD" || reason === "ERAR_BAD_PASSWORD") {
    return { code: "archive-password-protected" };
  }
  if (reason === "ERAR_NO_MEMORY") return { code: "out-of-memory" };
  return { code: "archive-damaged" };
}

/**
 * Where the library keeps an extracted member. unrar never writes outside its folder: it extracts
 * "a/../../b/c" as "b/c" (what follows the last "../") and "/x" as "x". The listed name and the
 * written one both map to the same key here.
 */
function extractedKey(name: string): string {
  const cut = name.lastIndexOf("../");
  return `*Extracted*/${normalisePath(cut < 0 ? name : name.slice(cut + 3))}`;
}

/**
 * The library looks extracted bytes up under the listed name, so a member named "../x" threw a
 * TypeError (taken for a link, and the file was lost): both sides use extractedKey instead.
 */
function matchExtractedNames(extractor: object): void {
  Reflect.set(extractor, "getExtractedFileName", extractedKey);
}

/** Drops the library's own copy of an extracted file (it never frees them itself). */
function releaseExtracted(extractor: object, name: string): void {
  const files: unknown = Reflect.get(extractor, "dataFiles");
  if (typeof files === "object" && files !== null) {
    Reflect.deleteProperty(files, extractedKey(name));
  }
}

/** The archive as one ArrayBuffer, without a second copy when the bytes already own theirs. */
function wholeBuffer(bytes: Uint8Array): ArrayBuffer {
  const { buffer } = bytes;
  if (buffer instanceof ArrayBuffer && bytes.byteOffset === 0) {
    if (bytes.byteLength === buffer.byteLength) return buffer;
  }
  return bytes.slice().buffer;
}

interface Listing {
  /** The headers read; all of them unless the listing broke part-way (`failure`). */
  headers: FileHeader[];
  volume: boolean;
  failure: Failure | null;
}

function list(extractor: Extractor<Uint8Array>): Listing {
  const headers: FileHeader[] = [];
  let volume = false;
  try {
    const listing = extractor.getFileList();
    volume = listing.arcHeader.flags.volume;
    // Iterated to the end even when the flags settle it: the C++ side is freed only then.
    for (const header of listing.fileHeaders) headers.push(header);
    return { headers, volume, failure: null };
  } catch (error) {
    return { headers, volume, failure: unrarFailure(error) ?? { reason: "", file: undefined } };
  }
}

function skipReason(header: FileHeader, limits: ArchiveLimits): IntakeProblem | "silent" | null {
  if (header.flags.directory || isIgnoredPath(header.name)) return "silent";
  if (header.flags.encrypted) return { code: "password-protected" };
  if (header.unpSize > limits.maxMemberBytes) {
    return { code: "member-too-large", limitBytes: limits.maxMemberBytes };
  }
  return null;
}

/** Refuses from declared sizes. Ratio is per archive: in a solid RAR one file's packed size means little. */
function refusal(
  headers: FileHeader[],
  packed: number,
  limits: ArchiveLimits,
): IntakeProblem | null {
  const total = headers.reduce((sum, header) => sum + header.unpSize, 0);
  if (total > limits.maxTotalBytes) {
    return { code: "archive-too-large", limitBytes: limits.maxTotalBytes };
  }
  if (total > 1024 * 1024 && total > packed * limits.maxRatio) {
    return { code: "archive-bomb", ratio: limits.maxRatio };
  }
  return null;
}

export async function* expandRar(
  archive: ArchiveSource,
  limits: ArchiveLimits,
  options: RarOptions = {},
): AsyncGenerator<ArchiveItem, void, undefined> {
  const fail = (problem: IntakeProblem): ArchiveItem => ({
    type: "problem",
    path: archive.path,
    problem,
  });
  const memberPath = (name: string) => `${archive.path}/${normalisePath(name)}`;
  if (archive.size > limits.maxRarBytes) {
    return yield fail({ code: "rar-too-large", limitBytes: limits.maxRarBytes });
  }
  const data = wholeBuffer(await archive.read(0, archive.size));
  const open = async () => {
    const wasmBinary = await options.wasmBinary?.();
    const extractor = await createExtractorFromData({
      data,
      ...(wasmBinary ? { wasmBinary } : {}),
    });
    matchExtractedNames(extractor);
    return extractor;
  };
  let extractor: Extractor<Uint8Array>;
  try {
    extractor = await open();
  } catch {
    return yield fail({ code: "unpacker-failed" });
  }
  const listing = list(extractor);
  if (listing.volume) return yield fail({ code: "multi-volume" });
  if (listing.headers.length === 0)
    return yield fail(archiveProblem(listing.failure?.reason ?? ""));
  const refused = refusal(listing.headers, archive.size, limits);
  if (refused) return yield fail(refused);

  const handled = new Set<string>();
  for (const header of listing.headers) {
    const reason = skipReason(header, limits);
    if (reason === null) continue;
    handled.add(header.name);
    if (reason !== "silent")
      yield { type: "problem", path: memberPath(header.name), problem: reason };
  }
  const listed = new Set(listing.headers.map((header) => header.name));
  const pending = () => listing.headers.filter((header) => !handled.has(header.name));
  for (let restarts = 0; pending().length > 0; restarts++) {
    if (restarts > MAX_RESTARTS) return yield fail({ code: "archive-damaged" });
    try {
      const wanted = (header: FileHeader) => listed.has(header.name) && !handled.has(header.name);
      for (const { fileHeader, extraction } of extractor.extract({ files: wanted }).files) {
        handled.add(fileHeader.name);
        releaseExtracted(extractor, fileHeader.name);
        if (!extraction) continue;
        const path = memberPath(fileHeader.name);
        yield extraction.length === fileHeader.unpSize
          ? { type: "member", path, bytes: extraction }
          : { type: "problem", path, problem: { code: "rar-reference" } };
      }
    } catch (error) {
      const failure = unrarFailure(error);
      if (failure?.reason === "ERAR_NO_MEMORY") return yield fail({ code: "out-of-memory" });
      // A plain TypeError comes from a link entry: the next file we were waiting for.
      const culprit = failure ? failure.file : pending()[0]?.name;
      if (culprit === undefined) return yield fail(archiveProblem(failure?.reason ?? ""));
      handled.add(culprit);
      yield { type: "problem", path: memberPath(culprit), problem: memberProblem(failure) };
      extractor = await open(); // a failed extraction leaves the extractor unusable
    }
  }
  // The listing broke part-way: what follows the damage cannot be read at all.
  const broken = listing.failure;
  if (broken && !(broken.file !== undefined && handled.has(broken.file))) {
    yield broken.file !== undefined
      ? { type: "problem", path: memberPath(broken.file), problem: { code: "member-damaged" } }
      : fail({ code: "archive-damaged" });
  }
}

function memberProblem(failure: Failure | null): IntakeProblem {
  if (!failure) return { code: "link" };
  const password =
    failure.reason === "ERAR_MISSING_PASSWORD" || failure.reason === "ERAR_BAD_PASSWORD";
  return { code: password ? "password-protected" : "member-damaged" };
}
