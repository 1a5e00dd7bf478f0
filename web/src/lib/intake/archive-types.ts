// What archive expansion (ZIP, RAR) hands the scan, and the limits it enforces. Members come out
// one at a time, as bytes: the consumer parses, then keeps or stores each before asking for the
// next, so memory holds one member, never the whole archive's contents.
import type { IntakeProblem } from "./problems";

export interface ArchiveLimits {
  /** Refuse an archive whose members unpack to more than this many times their packed size. */
  maxRatio: number;
  /** Refuse an archive that unpacks to more than this many bytes in total. */
  maxTotalBytes: number;
  /** Refuse (skip) a single member larger than this: it is held in memory while parsed. */
  maxMemberBytes: number;
  /** RAR archives are read whole into memory (node-unrar-js has no streaming input). */
  maxRarBytes: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxRatio: 100,
  maxTotalBytes: 10 * 1000 ** 3,
  maxMemberBytes: 1024 ** 3,
  maxRarBytes: 512 * 1024 ** 2,
};

/**
 * Members smaller than this are exempt from the ratio check: a small file of zeros packs 1000:1
 * legitimately and cannot hurt. The total-size cap still counts them.
 */
export const RATIO_FLOOR_BYTES = 1024 * 1024;

export type ArchiveItem =
  /** `path` is the archive's path, then the member's own: "study.zip/CT/IM0001". */
  | { type: "member"; path: string; bytes: Uint8Array }
  /** A member that is not unpacked, or (path = the archive's) the archive as a whole. */
  | { type: "problem"; path: string; problem: IntakeProblem };

export type ArchiveFormat = "zip" | "rar";

export interface ArchiveSource {
  path: string;
  size: number;
  read(start: number, end: number): Promise<Uint8Array>;
}

/** Expands one archive; the in-thread expander and the Web Worker client share this shape. */
export type ArchiveExpander = (
  archive: ArchiveSource & { blob?: Blob },
  format: ArchiveFormat,
  limits: ArchiveLimits,
) => AsyncIterable<ArchiveItem>;
