// Unpacks a ZIP member by member with fflate's streaming Unzip + UnzipInflate, reading the file in
// pieces: memory holds one member (at its declared size) and the piece being inflated, never the
// archive. The central directory is read first (zip-directory.ts) to refuse zip bombs and explain
// password-protected or unsupported members before anything is inflated. Runs in a worker or Node.
//
// Why Unzip is fed member by member, with the sizes from the central directory written into each
// local header: for a ZIP written as a stream (macOS Finder, Java, PACS web exports) the local
// headers carry no sizes, and fflate then finds a member's end by scanning its compressed bytes
// for the next "PK" signature, which random-looking data contains about once per 4 GB: it would
// cut members short at random. Skipped members are not read at all.
import { Unzip, UnzipInflate } from "fflate";
import {
  RATIO_FLOOR_BYTES,
  type ArchiveItem,
  type ArchiveLimits,
  type ArchiveSource,
} from "./archive-types";
import { isIgnoredPath, normalisePath, readChunks } from "./entry";
import { MemberSink } from "./zip-member";
import type { IntakeProblem } from "./problems";
import { readZipDirectory, type ZipRecord } from "./zip-directory";

/** Compressed bytes handed to fflate at once. Deflate expands at most ~1032:1, so one push can
 * never produce more than ~33 MB, even from a crafted archive that lies about its sizes. */
const FEED_BYTES = 32 * 1024;
const READ_BYTES = 1024 * 1024;
const LOCAL_HEADER = 0x04034b50;
/** Sizes that do not fit a plain local header (ZIP64): far above any member we unpack. */
const MAX_PLAIN_SIZE = 0xfffffffe;
const METHOD_NAMES: Readonly<Record<number, string>> = {
  9: "Deflate64",
  12: "BZIP2",
  14: "LZMA",
  93: "Zstandard",
  95: "XZ",
  98: "PPMd",
};

/** Why a member is not unpacked; null to unpack it; "silent" for folders and system clutter. */
function skipReason(record: ZipRecord, limits: ArchiveLimits): IntakeProblem | "silent" | null {
  if (record.isDirectory || isIgnoredPath(record.name)) return "silent";
  if (record.isLink) return { code: "link" };
  // Bit 0: encrypted (ZipCrypto); method 99: WinZip AES, which also sets bit 0.
  if (record.flags & 1 || record.method === 99) return { code: "password-protected" };
  if (record.method !== 0 && record.method !== 8) {
    const method = METHOD_NAMES[record.method] ?? `method ${record.method}`;
    return { code: "unsupported-compression", method };
  }
  const limit = Math.min(limits.maxMemberBytes, MAX_PLAIN_SIZE);
  if (record.size > limit || record.compressedSize > MAX_PLAIN_SIZE) {
    return { code: "member-too-large", limitBytes: limit };
  }
  return null;
}

/** A refusal of the whole archive from its declared sizes, before anything is inflated. */
function refusal(records: readonly ZipRecord[], limits: ArchiveLimits): IntakeProblem | null {
  const files = records.filter((record) => !record.isDirectory);
  const bomb = files.some(
    (r) => r.size > RATIO_FLOOR_BYTES && r.size > r.compressedSize * limits.maxRatio,
  );
  if (bomb) return { code: "archive-bomb", ratio: limits.maxRatio };
  const total = files.reduce((sum, record) => sum + record.size, 0);
  if (total > limits.maxTotalBytes) {
    return { code: "archive-too-large", limitBytes: limits.maxTotalBytes };
  }
  return null;
}

/**
 * The member's local header rewritten with the central directory's sizes and CRC, without the
 * data-descriptor flag and extra field; and where its data starts. Null when the local header is
 * missing or names another file: the archive does not match its own table of contents.
 */
async function localHeader(archive: ArchiveSource, record: ZipRecord) {
  const fixed = await archive.read(record.localOffset, record.localOffset + 30);
  if (fixed.length < 30) return null;
  const view = new DataView(fixed.buffer, fixed.byteOffset, 30);
  if (view.getUint32(0, true) !== LOCAL_HEADER) return null;
  const nameLength = view.getUint16(26, true);
  const nameStart = record.localOffset + 30;
  const name = await archive.read(nameStart, nameStart + nameLength);
  const header = new Uint8Array(30 + nameLength);
  header.set(fixed);
  header.set(name, 30);
  const out = new DataView(header.buffer);
  const flags = view.getUint16(6, true);
  out.setUint16(6, flags & ~0x8, true);
  out.setUint32(14, record.crc, true);
  out.setUint32(18, record.compressedSize, true);
  out.setUint32(22, record.size, true);
  out.setUint16(28, 0, true);
  const decoded = flags & 0x800 ? new TextDecoder().decode(name) : String.fromCharCode(...name);
  if (decoded !== record.name) return null;
  return { header, dataStart: nameStart + nameLength + view.getUint16(28, true) };
}

export async function* expandZip(
  archive: ArchiveSource,
  limits: ArchiveLimits,
): AsyncGenerator<ArchiveItem, void, undefined> {
  const fail = (problem: IntakeProblem): ArchiveItem => ({
    type: "problem",
    path: archive.path,
    problem,
  });
  const directory = await readZipDirectory(archive);
  if (!directory.ok) {
    const problems: Record<typeof directory.problem, IntakeProblem> = {
      damaged: { code: "archive-damaged" },
      "multi-volume": { code: "multi-volume" },
      "directory-too-large": { code: "archive-too-large", limitBytes: limits.maxTotalBytes },
    };
    return yield fail(problems[directory.problem]);
  }
  const { records } = directory;
  const refused = refusal(records, limits);
  if (refused) return yield fail(refused);
  if (!records.some((record) => skipReason(record, limits) !== "silent")) {
    return yield fail({ code: "archive-empty" });
  }

  const queue: ArchiveItem[] = [];
  let fatal: IntakeProblem | null = null;
  let sink: MemberSink | null = null;
  const unzip = new Unzip((file) => {
    const current = sink;
    file.ondata = (error, data, final) => {
      const item = current?.take(error, data, final);
      if (item === "lied") fatal ??= { code: "archive-damaged" };
      else if (item) queue.push(item);
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  const push = (bytes: Uint8Array, final = false) => {
    try {
      unzip.push(bytes, final);
    } catch {
      fatal ??= { code: "archive-damaged" }; // fflate: invalid header or unexpected end
    }
  };

  for (const record of records) {
    const path = `${archive.path}/${normalisePath(record.name)}`;
    const reason = skipReason(record, limits);
    if (reason === "silent") continue;
    if (reason) {
      yield { type: "problem", path, problem: reason };
      continue;
    }
    const local = await localHeader(archive, record);
    if (!local) return yield fail({ code: "archive-damaged" });
    sink = new MemberSink(record, path);
    push(local.header);
    const end = local.dataStart + record.compressedSize;
    for await (const chunk of readChunks(archive, READ_BYTES, local.dataStart, end)) {
      for (let at = 0; at < chunk.length && !fatal; at += FEED_BYTES) {
        push(chunk.subarray(at, at + FEED_BYTES));
      }
      if (fatal) return yield fail(fatal);
      while (queue.length > 0) yield queue.shift()!;
    }
    while (queue.length > 0) yield queue.shift()!;
    // The archive ended before this member's data did.
    if (!sink.done) return yield fail({ code: "archive-damaged" });
  }
}
