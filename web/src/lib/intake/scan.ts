// The intake scan: takes the picked entries (files, folders, archives), tells by content what each
// is, reads DICOM headers from a slice (never a whole file), unpacks archives one member at a
// time, and produces studies/series, the files left out (with a reason each), completeness
// warnings and the DICOMDIRs seen. It yields progress as it goes. Framework-free and pure of UI.
import { dicomdirReferences } from "../dicom/dicomdir";
import { FIRST_SLICE_BYTES, readDicomHeader, type HeaderVerdict } from "../dicom/header-verdict";
import { expandArchiveHere } from "./archive";
import {
  DEFAULT_ARCHIVE_LIMITS,
  type ArchiveExpander,
  type ArchiveFormat,
  type ArchiveLimits,
} from "./archive-types";
import {
  dicomdirWarning,
  duplicateWarnings,
  notImageWarning,
  studyWarnings,
  type IntakeWarning,
} from "./checks";
import { checkDicomdir, type DicomdirNote } from "./dicomdir-check";
import { digestEntry } from "./digest";
import { detectFormat } from "./detect";
import { entryFromBytes, isIgnoredPath, type IntakeEntry } from "./entry";
import { groupStudies, settleDuplicates, type ScannedInstance, type StudyGroup } from "./group";
import { readInPlace, type Head, type HeadReader } from "./head-pool";
import { rejected, type IntakeProblem, type Rejected } from "./problems";

export interface ScanOptions {
  limits?: Partial<ArchiveLimits>;
  /** How archives are unpacked: in this thread (default) or through the Web Worker client. */
  expandArchive?: ArchiveExpander;
  /**
   * Receives each DICOM file found inside an archive (its bytes in memory) and returns where it
   * now lives, e.g. an entry reading it back from IndexedDB. Default: kept in memory.
   */
  keepArchiveMember?: (member: IntakeEntry) => Promise<IntakeEntry>;
  /**
   * Receives each JPEG or PNG photo (archive members too, their bytes in memory), which is then
   * not listed as rejected: the caller turns photos into DICOM. Without it, photos are rejected
   * with code "photo".
   */
  takePhoto?: (photo: IntakeEntry, format: "JPEG" | "PNG") => Promise<void>;
  /** How picked files' first bytes are read: in place (default) or by head workers. */
  readHead?: HeadReader;
  signal?: AbortSignal;
}

export interface IntakeResult {
  studies: StudyGroup[];
  rejected: Rejected[];
  warnings: IntakeWarning[];
  dicomdirsIgnored: DicomdirNote[];
}

export type ScanEvent =
  | { type: "progress"; path: string; filesScanned: number; bytesScanned: number }
  | { type: "done"; result: IntakeResult };

/**
 * Picked files whose first bytes are read ahead, in parallel, while earlier ones are parsed:
 * each read is a round trip to the browser's file thread, so one at a time would leave a
 * 1,000-file study waiting on latency rather than on work.
 */
const READ_AHEAD = 32;

/** Archives inside archives are opened one level deep: enough for a ZIP of per-study ZIPs, and
 * it bounds the work a crafted archive (42.zip style) can cause. */
const MAX_ARCHIVE_DEPTH = 1;
const DICOMDIR_CAP_BYTES = 64 * 1024 * 1024;

const PHOTO = { jpeg: "JPEG", png: "PNG" } as const;

class Scan {
  readonly instances: ScannedInstance[] = [];
  readonly rejected: Rejected[] = [];
  readonly dicomdirs: { path: string; references: string[] }[] = [];
  readonly paths: string[] = [];
  files = 0;
  bytes = 0;

  constructor(
    private readonly options: ScanOptions,
    private readonly limits: ArchiveLimits,
    private readonly expand: ArchiveExpander,
  ) {}

  private reject(path: string, problem: IntakeProblem): void {
    this.rejected.push(rejected(path, problem));
  }

  async *visit(
    entry: IntakeEntry,
    depth: number,
    firstBytes: Promise<Head> = readInPlace(entry, FIRST_SLICE_BYTES),
  ): AsyncGenerator<ScanEvent> {
    if (isIgnoredPath(entry.path)) return;
    this.options.signal?.throwIfAborted();
    this.paths.push(entry.path);
    const { bytes: head, verdict: parsed } = await firstBytes;
    const format = head ? detectFormat(head) : null;
    if (format?.kind === "zip" || format?.kind === "rar") {
      yield* this.visitArchive(entry, format.kind, depth);
      return;
    }
    if (!head || !format) this.reject(entry.path, { code: "unreadable" });
    else if (entry.size === 0) this.reject(entry.path, { code: "empty" });
    else if (format.kind === "dicom" || format.kind === "dicomdir") {
      await this.visitDicom(entry, head, depth, parsed);
    } else if (format.kind === "jpeg" || format.kind === "png") {
      if (this.options.takePhoto) await this.options.takePhoto(entry, PHOTO[format.kind]);
      else this.reject(entry.path, { code: "photo", format: PHOTO[format.kind] });
    } else if (format.kind === "other-archive") {
      this.reject(entry.path, { code: "other-archive", format: format.name });
    } else this.reject(entry.path, { code: "not-an-image" });
    this.files += 1;
    this.bytes += entry.size;
    yield {
      type: "progress",
      path: entry.path,
      filesScanned: this.files,
      bytesScanned: this.bytes,
    };
  }

  private async *visitArchive(archive: IntakeEntry, format: ArchiveFormat, depth: number) {
    if (depth > MAX_ARCHIVE_DEPTH)
      return this.reject(archive.path, { code: "archive-nested-too-deep" });
    try {
      for await (const item of this.expand(archive, format, this.limits)) {
        if (item.type === "problem") this.reject(item.path, item.problem);
        else yield* this.visit(entryFromBytes(item.path, item.bytes), depth + 1);
      }
    } catch (error) {
      if (this.options.signal?.aborted) throw error;
      this.reject(archive.path, { code: "unreadable" }); // the archive's storage failed mid-way
    }
  }

  private async visitDicom(
    entry: IntakeEntry,
    head: Uint8Array,
    depth: number,
    parsed?: HeaderVerdict,
  ): Promise<void> {
    let verdict: HeaderVerdict;
    let references: string[] = [];
    try {
      verdict =
        parsed ?? (await readDicomHeader((start, end) => entry.read(start, end), entry.size, head));
      if (verdict.kind === "dicom" && verdict.isDicomdir && entry.size <= DICOMDIR_CAP_BYTES) {
        references = dicomdirReferences(await entry.read(0, entry.size));
      }
    } catch {
      return this.reject(entry.path, { code: "unreadable" });
    }
    if (verdict.kind === "not-dicom") return this.reject(entry.path, { code: "not-an-image" });
    if (verdict.kind === "damaged") {
      const code = verdict.problem === "cut-short" ? "dicom-cut-short" : "dicom-unreadable";
      return this.reject(entry.path, { code });
    }
    if (verdict.isDicomdir) return void this.dicomdirs.push({ path: entry.path, references });
    const { header } = verdict;
    if (!header.studyInstanceUid || !header.sopInstanceUid) {
      return this.reject(entry.path, { code: "dicom-without-ids" });
    }
    const kept =
      depth > 0 && this.options.keepArchiveMember
        ? await this.options.keepArchiveMember(entry)
        : entry;
    this.instances.push({ path: entry.path, size: entry.size, entry: kept, header });
  }

  /** Hashes the files whose SOP Instance UID repeats, then groups and checks. */
  async finish(): Promise<IntakeResult> {
    const count = new Map<string, number>();
    for (const i of this.instances) {
      count.set(i.header.sopInstanceUid, (count.get(i.header.sopInstanceUid) ?? 0) + 1);
    }
    for (const instance of this.instances) {
      if ((count.get(instance.header.sopInstanceUid) ?? 0) < 2) continue;
      this.options.signal?.throwIfAborted();
      instance.digest = await digestEntry(instance.entry);
    }
    const duplicates = settleDuplicates(this.instances);
    for (const { instance, keptPath } of duplicates.conflicts) {
      this.reject(instance.path, { code: "duplicate-conflict", otherPath: keptPath });
    }
    const studies = groupStudies(duplicates.kept);
    const dicomdirsIgnored = this.dicomdirs.map((d) =>
      checkDicomdir(d.path, d.references, this.paths),
    );
    const warnings = [
      ...studyWarnings(studies),
      ...duplicateWarnings(duplicates),
      ...notImageWarning(this.rejected),
      ...dicomdirsIgnored
        .filter((note) => note.missingFiles.length > 0)
        .map((note) => dicomdirWarning(note.path, note.missingFiles.length, note.referencedFiles)),
    ];
    return { studies, rejected: this.rejected, warnings, dicomdirsIgnored };
  }
}

/** The entries in order, each with its first slice already being read, READ_AHEAD at a time. */
async function* readingAhead(
  entries: AsyncIterable<IntakeEntry> | Iterable<IntakeEntry>,
  read: HeadReader = readInPlace,
): AsyncGenerator<{ entry: IntakeEntry; head: Promise<Head> }> {
  const queue: { entry: IntakeEntry; head: Promise<Head> }[] = [];
  for await (const entry of entries) {
    if (isIgnoredPath(entry.path)) continue;
    const head = read(entry, FIRST_SLICE_BYTES).catch(() => ({ bytes: null }));
    queue.push({ entry, head });
    if (queue.length >= READ_AHEAD) yield queue.shift()!;
  }
  yield* queue;
}

/**
 * Scans the entries, yielding progress after each file (archive members included) and, last,
 * the result. Entries may arrive lazily (a folder walk): each is scanned as it comes.
 */
export async function* scanIntake(
  entries: AsyncIterable<IntakeEntry> | Iterable<IntakeEntry>,
  options: ScanOptions = {},
): AsyncGenerator<ScanEvent> {
  const limits = { ...DEFAULT_ARCHIVE_LIMITS, ...options.limits };
  const scan = new Scan(options, limits, options.expandArchive ?? expandArchiveHere());
  const heads = readingAhead(entries, options.readHead);
  for await (const { entry, head } of heads) yield* scan.visit(entry, 0, head);
  yield { type: "done", result: await scan.finish() };
}

/** scanIntake run to its end: the result, with progress reported through a callback. */
export async function scanIntakeToEnd(
  entries: AsyncIterable<IntakeEntry> | Iterable<IntakeEntry>,
  options: ScanOptions = {},
  onProgress?: (event: Extract<ScanEvent, { type: "progress" }>) => void,
): Promise<IntakeResult> {
  for await (const event of scanIntake(entries, options)) {
    if (event.type === "done") return event.result;
    onProgress?.(event);
  }
  throw new Error("scanIntake ended without a result");
}
