// Reads a ZIP's central directory (its table of contents at the end of the file) through
// byte-range reads: names, sizes, flags and methods of all members before any is unpacked. That
// lets the intake refuse a zip bomb or a split archive up front and explain password-protected
// members. ZIP64 is understood. Only the directory is read here, never member data.
import type { IntakeEntry } from "./entry";

export interface ZipRecord {
  /** As fflate decodes local names: UTF-8 when flagged (bit 11), else one byte per character. */
  name: string;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  isDirectory: boolean;
  isLink: boolean;
}

export type ZipDirectory =
  | { ok: true; records: ZipRecord[] }
  | { ok: false; problem: "damaged" | "multi-volume" | "directory-too-large" };

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL_HEADER = 0x02014b50;
const EOCD_BYTES = 22;
const MAX_COMMENT = 0xffff;
/** A directory this large lists hundreds of thousands of files: refuse rather than hold it. */
const MAX_DIRECTORY_BYTES = 64 * 1024 * 1024;

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const u16 = (b: Uint8Array, at: number) => view(b).getUint16(at, true);
const u32 = (b: Uint8Array, at: number) => view(b).getUint32(at, true);
const u64 = (b: Uint8Array, at: number) => Number(view(b).getBigUint64(at, true));

class Damaged extends Error {}

function need(condition: boolean): asserts condition {
  if (!condition) throw new Damaged();
}

function findEocd(tail: Uint8Array): number {
  for (let at = tail.length - EOCD_BYTES; at >= 0; at--) {
    if (u32(tail, at) === EOCD && at + EOCD_BYTES + u16(tail, at + 20) <= tail.length) return at;
  }
  return -1;
}

interface Directory {
  offset: number;
  size: number;
  count: number;
  disks: number;
}

async function locateDirectory(entry: IntakeEntry): Promise<Directory> {
  const tailStart = Math.max(0, entry.size - EOCD_BYTES - MAX_COMMENT);
  const tail = await entry.read(tailStart, entry.size);
  const at = findEocd(tail);
  need(at >= 0);
  const dir: Directory = {
    offset: u32(tail, at + 16),
    size: u32(tail, at + 12),
    count: u16(tail, at + 10),
    disks: Math.max(u16(tail, at + 4), u16(tail, at + 6)),
  };
  const zip64 = dir.offset === 0xffffffff || dir.size === 0xffffffff || dir.count === 0xffff;
  if (!zip64) return dir;
  need(at >= 20 && u32(tail, at - 20) === ZIP64_LOCATOR);
  const recordAt = u64(tail, at - 12);
  const record = await entry.read(recordAt, recordAt + 56);
  need(record.length === 56 && u32(record, 0) === ZIP64_EOCD);
  return {
    offset: u64(record, 48),
    size: u64(record, 40),
    count: u64(record, 32),
    disks: Math.max(u32(record, 16), u32(record, 20), u32(tail, at - 4) - 1),
  };
}

const utf8 = new TextDecoder();

function decodeName(bytes: Uint8Array, flags: number): string {
  return flags & 0x800 ? utf8.decode(bytes) : String.fromCharCode(...bytes);
}

function parseRecord(b: Uint8Array, at: number): { record: ZipRecord; next: number } {
  need(at + 46 <= b.length && u32(b, at) === CENTRAL_HEADER);
  const flags = u16(b, at + 8);
  const nameLength = u16(b, at + 28);
  const extraLength = u16(b, at + 30);
  const next = at + 46 + nameLength + extraLength + u16(b, at + 32);
  need(next <= b.length);
  const name = decodeName(b.subarray(at + 46, at + 46 + nameLength), flags);
  let compressedSize = u32(b, at + 20);
  let size = u32(b, at + 24);
  let localOffset = u32(b, at + 42);
  // ZIP64 extra field (0x0001): 8-byte values for exactly those fields set to 0xFFFFFFFF.
  const extra = b.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
  for (let e = 0; e + 4 <= extra.length; e += 4 + u16(extra, e + 2)) {
    if (u16(extra, e) !== 0x0001) continue;
    let field = e + 4;
    const take = () => (need(field + 8 <= extra.length), u64(extra, (field += 8) - 8));
    if (size === 0xffffffff) size = take();
    if (compressedSize === 0xffffffff) compressedSize = take();
    if (localOffset === 0xffffffff) localOffset = take();
  }
  const madeOnUnix = b[at + 5] === 3;
  const mode = u32(b, at + 38) >>> 16;
  const record: ZipRecord = {
    name,
    flags,
    method: u16(b, at + 10),
    crc: u32(b, at + 16),
    compressedSize,
    size,
    localOffset,
    isDirectory: name.endsWith("/"),
    isLink: madeOnUnix && (mode & 0xf000) === 0xa000,
  };
  return { record, next };
}

/** The members of a ZIP in the order their data appears in the file. */
export async function readZipDirectory(entry: IntakeEntry): Promise<ZipDirectory> {
  try {
    const dir = await locateDirectory(entry);
    if (dir.disks > 0) return { ok: false, problem: "multi-volume" };
    if (dir.size > MAX_DIRECTORY_BYTES) return { ok: false, problem: "directory-too-large" };
    need(dir.offset + dir.size <= entry.size);
    const bytes = await entry.read(dir.offset, dir.offset + dir.size);
    need(bytes.length === dir.size);
    const records: ZipRecord[] = [];
    for (let at = 0; records.length < dir.count;) {
      const { record, next } = parseRecord(bytes, at);
      records.push(record);
      at = next;
    }
    records.sort((a, b) => a.localOffset - b.localOffset);
    return { ok: true, records };
  } catch (error) {
    if (error instanceof Damaged) return { ok: false, problem: "damaged" };
    throw error; // a read failure is the storage's, not the archive's
  }
}
