// The Upload Study screens' state before anything is sent, as runes: what was picked, the scan's
// progress, the studies found, what the user ticks, renames and types, and the photos to add.
// It hands the final list of files to the UploadController; it never uploads. A thin shell over
// the framework-free intake core (./intake).
import type { DicomWriteErrorCode } from "./dicom-write/errors";
import {
  eachEntryFromFiles,
  entriesFromDirectoryHandle,
  entryFromBlob,
  scanIntake,
  workerArchiveExpander,
  type DirectoryHandleLike,
  type FileLike,
  type IntakeEntry,
  type IntakeResult,
  type ScanOptions,
  type StudyGroup,
} from "./intake";
import { SvelteSet } from "svelte/reactivity";
import { headPool, type HeadReader } from "./intake/head-pool";
import { startArchiveWorker, startHeadWorker } from "./intake/start-workers";
import { outgoingFiles, PhotoNotConverted, studyHeaderOf } from "./intake/outgoing";
import type { StudyLabel } from "./queue/job";

export type IntakeStage =
  "pick" | "scanning" | "empty" | "studies" | "review" | "confirm" | "handed-off";

export interface PhotoItem {
  id: number;
  name: string;
  size: number;
  entry: IntakeEntry;
  /** When the photo was taken, as far as we know (the file's modification time), in ms. */
  takenAt?: number | undefined;
  /** "checking" until photo-check.ts has looked at it; then "ok" or why it cannot be sent. */
  status: "checking" | "ok" | DicomWriteErrorCode;
  /** An object URL for the thumbnail. */
  preview: string;
}

export interface PatientFields {
  family: string;
  given: string;
  id: string;
  /** "YYYY-MM-DD" from a date input, or "". */
  birthDate: string;
  sex: "" | "F" | "M" | "O";
}

/** What stops the user going on; the screens word it. */
export type IntakeError =
  | { kind: "nothing-selected" }
  | { kind: "patient-missing" }
  | { kind: "photo"; name: string; code: DicomWriteErrorCode }
  | { kind: "unexpected" };

const PROGRESS_EVERY_MS = 100;
/** Two head workers read picked files' first bytes (the machine's cores, phones included). */
const HEAD_WORKERS = 2;
const EMPTY_PATIENT: PatientFields = { family: "", given: "", id: "", birthDate: "", sex: "" };

/** A Blob part for bytes: the view itself when it owns a plain ArrayBuffer, else a copy. */
function blobPart(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  if (bytes.buffer instanceof ArrayBuffer) {
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  }
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy;
}

/**
 * Archive members arrive as bytes in the JS heap; a Blob moves them into the browser's blob
 * store (which pages to disk), so a 1 GB archive never sits in the heap whole.
 */
async function toBlobEntry(entry: IntakeEntry): Promise<IntakeEntry> {
  if (entry.blob) return entry;
  const bytes = await entry.read(0, entry.size);
  return entryFromBlob(entry.path, new Blob([blobPart(bytes)]));
}

const baseName = (path: string) => path.slice(path.lastIndexOf("/") + 1) || path;

export class IntakeController {
  stage = $state<IntakeStage>("pick");
  scanned = $state({ files: 0, bytes: 0 });
  scanTotal = $state<number | undefined>(undefined);
  result = $state.raw<IntakeResult | null>(null);
  photos = $state.raw<readonly PhotoItem[]>([]);
  studyUid = $state<string | null>(null);
  readonly unticked = new SvelteSet<string>();
  description = $state("");
  impression = $state("");
  patient = $state<PatientFields>({ ...EMPTY_PATIENT });
  error = $state.raw<IntakeError | null>(null);
  preparing = $state(false);
  readonly sent = new SvelteSet<string>();

  readonly study: StudyGroup | null = $derived(
    this.result?.studies.find((s) => s.studyInstanceUid === this.studyUid) ?? null,
  );
  readonly studies: readonly StudyGroup[] = $derived(this.result?.studies ?? []);
  readonly sendablePhotos = $derived(this.photos.filter((p) => p.status === "ok"));
  readonly selectedSeries = $derived(
    this.study?.series.filter((s) => !this.unticked.has(s.seriesInstanceUid)) ?? [],
  );
  readonly imageCount = $derived(
    this.selectedSeries.reduce((n, s) => n + s.instanceCount, 0) + this.sendablePhotos.length,
  );
  readonly remaining = $derived(this.studies.filter((s) => !this.sent.has(s.studyInstanceUid)));

  #abort: AbortController | null = null;
  #worker: Worker | null = null;
  // Started with the screen, so that a pick does not wait for them to load.
  readonly #headWorkers: Worker[] = Array.from({ length: HEAD_WORKERS }, startHeadWorker).filter(
    (worker): worker is Worker => worker !== null,
  );
  readonly #readHead: HeadReader = headPool(this.#headWorkers);
  #photoSerial = 0;
  #checks: Promise<void>[] = [];

  /** Files from the file picker or the folder picker (webkitdirectory keeps relative paths). */
  pickFiles(files: ArrayLike<FileLike>): Promise<void> {
    if (files.length === 0) return Promise.resolve(); // the picker was closed without a choice
    return this.scanEntries(eachEntryFromFiles(files), files.length);
  }

  pickDirectory(handle: DirectoryHandleLike): Promise<void> {
    return this.scanEntries(entriesFromDirectoryHandle(handle));
  }

  /** Scans whatever was picked or dropped, replacing an earlier pick. */
  async scanEntries(
    entries: AsyncIterable<IntakeEntry> | Iterable<IntakeEntry>,
    total?: number,
  ): Promise<void> {
    this.reset();
    const abort = new AbortController();
    this.#abort = abort;
    this.stage = "scanning";
    this.scanTotal = total;
    const photos: PhotoItem[] = [];
    const options: ScanOptions = {
      signal: abort.signal,
      keepArchiveMember: toBlobEntry,
      takePhoto: async (entry) => void photos.push(this.#photo(await toBlobEntry(entry))),
      readHead: this.#readHead,
    };
    const expander = this.#archiveExpander();
    if (expander) options.expandArchive = expander;
    let shown = 0;
    try {
      for await (const event of scanIntake(entries, options)) {
        if (event.type === "progress") {
          if (performance.now() - shown < PROGRESS_EVERY_MS) continue;
          shown = performance.now();
          this.scanned = { files: event.filesScanned, bytes: event.bytesScanned };
          continue;
        }
        if (abort.signal.aborted) return;
        this.result = event.result;
      }
    } catch (error) {
      if (abort.signal.aborted) return;
      throw error;
    } finally {
      if (this.#abort === abort) this.#abort = null;
    }
    this.photos = photos;
    for (const photo of photos) this.#check(photo);
    this.#afterScan();
  }

  #afterScan(): void {
    const studies = this.result?.studies ?? [];
    if (studies.length === 0 && this.photos.length === 0) this.stage = "empty";
    else if (studies.length === 1) this.chooseStudy(studies[0]!.studyInstanceUid);
    else if (studies.length === 0) this.#review(null);
    else this.stage = "studies";
  }

  /** Stops a running scan and goes back to picking. */
  cancelScan(): void {
    this.#abort?.abort(new DOMException("Scan stopped", "AbortError"));
    this.#abort = null;
    this.reset();
  }

  chooseStudy(uid: string): void {
    this.#review(uid);
  }

  #review(uid: string | null): void {
    const study = this.result?.studies.find((s) => s.studyInstanceUid === uid) ?? null;
    this.studyUid = study?.studyInstanceUid ?? null;
    this.unticked.clear();
    this.description = study?.description ?? "";
    this.error = null;
    this.stage = "review";
  }

  toggleSeries(uid: string, ticked: boolean): void {
    if (ticked) this.unticked.delete(uid);
    else this.unticked.add(uid);
    this.error = null;
  }

  /** Photos taken with the camera (or picked as images): added to the study being reviewed. */
  async addPhotos(files: ArrayLike<File>): Promise<void> {
    if (files.length === 0) return;
    const added = Array.from(files, (file) => this.#photo(entryFromBlob(file.name, file), file));
    this.photos = [...this.photos, ...added];
    for (const photo of added) this.#check(photo);
    this.error = null;
    if (this.stage === "pick" || this.stage === "empty") this.#review(null);
  }

  removePhoto(id: number): void {
    const photo = this.photos.find((p) => p.id === id);
    if (photo) URL.revokeObjectURL(photo.preview);
    this.photos = this.photos.filter((p) => p.id !== id);
  }

  #photo(entry: IntakeEntry, file?: File): PhotoItem {
    return {
      id: ++this.#photoSerial,
      name: baseName(entry.path),
      size: entry.size,
      entry,
      takenAt: file?.lastModified,
      status: "checking",
      preview: entry.blob ? URL.createObjectURL(entry.blob) : "",
    };
  }

  #check(photo: PhotoItem): void {
    const check = (async () => {
      let status: PhotoItem["status"];
      try {
        const { photoProblem } = await import("./intake/photo-check");
        status = photoProblem(await photo.entry.read(0, photo.entry.size)) ?? "ok";
      } catch {
        status = "damaged-photo"; // the file could not be read back
      }
      this.photos = this.photos.map((p) => (p.id === photo.id ? { ...p, status } : p));
    })();
    this.#checks.push(check);
    void check.finally(() => (this.#checks = this.#checks.filter((c) => c !== check)));
  }

  /** Review → confirmation gate, when there is something to send and the form is complete. */
  async toConfirm(): Promise<void> {
    await Promise.all(this.#checks);
    if (this.imageCount === 0) {
      this.error = { kind: "nothing-selected" };
      return;
    }
    if (!this.study && (!this.patient.family.trim() || !this.patient.id.trim())) {
      this.error = { kind: "patient-missing" };
      return;
    }
    this.error = null;
    this.stage = "confirm";
  }

  back(): void {
    this.error = null;
    if (this.stage === "confirm") this.stage = "review";
    else if (this.stage === "review" && this.remaining.length > 1) this.stage = "studies";
    else this.reset();
  }

  /**
   * The files to send for the confirmed study: the picked ones, unchanged, plus photos and the
   * clinical impression written as DICOM. Null (with `error` set) when a photo was refused.
   */
  async prepare(author?: string): Promise<File[] | null> {
    if (this.preparing) return null;
    this.preparing = true;
    this.error = null;
    try {
      const study = this.study;
      const patient = this.patient;
      return await outgoingFiles({
        instances: this.selectedSeries.flatMap((s) => s.instances),
        photos: this.sendablePhotos.map((p) => ({
          name: p.name,
          entry: p.entry,
          takenAt: p.takenAt,
        })),
        subject: study
          ? { kind: "existing-study", study: studyHeaderOf(study) }
          : {
              kind: "new-study",
              description: this.description,
              patient: {
                patientName: [patient.family.trim(), patient.given.trim()]
                  .filter(Boolean)
                  .join("^"),
                patientId: patient.id.trim(),
                patientBirthDate: patient.birthDate,
                patientSex: patient.sex,
              },
            },
        impression: this.impression,
        author,
      });
    } catch (error) {
      if (error instanceof PhotoNotConverted) {
        this.error = { kind: "photo", name: error.photo, code: error.code };
      } else {
        console.error("preparing the upload failed", error);
        this.error = { kind: "unexpected" };
      }
      return null;
    } finally {
      this.preparing = false;
    }
  }

  /** How the upload queue names the study: the files' own values, and the user's description. */
  label(): StudyLabel {
    const study = this.study;
    const description = this.description.trim();
    const patient = [this.patient.family.trim(), this.patient.given.trim()].filter(Boolean);
    const label: StudyLabel = study
      ? { patientName: study.patientName, modality: study.modalities.join(", ") }
      : { patientName: patient.join("^"), modality: "XC" };
    if (study?.studyDate) label.studyDate = study.studyDate;
    if (description) label.description = description;
    return label;
  }

  /** The files went to the uploader: remember the study as sent; photos went with it. */
  handedOff(): void {
    if (this.studyUid) this.sent.add(this.studyUid);
    for (const photo of this.photos) URL.revokeObjectURL(photo.preview);
    this.photos = [];
    this.stage = "handed-off";
  }

  /** After an upload: the next study found in the same pick. */
  nextStudy(): void {
    this.impression = "";
    this.patient = { ...EMPTY_PATIENT };
    const [only, ...others] = this.remaining;
    if (only && others.length === 0) this.chooseStudy(only.studyInstanceUid);
    else this.stage = "studies";
  }

  /** Forgets everything picked, ready for another pick. */
  reset(): void {
    this.#abort?.abort(new DOMException("Scan replaced", "AbortError"));
    this.#abort = null;
    for (const photo of this.photos) URL.revokeObjectURL(photo.preview);
    this.stage = "pick";
    this.scanned = { files: 0, bytes: 0 };
    this.scanTotal = undefined;
    this.result = null;
    this.photos = [];
    this.studyUid = null;
    this.unticked.clear();
    this.description = "";
    this.impression = "";
    this.patient = { ...EMPTY_PATIENT };
    this.error = null;
    this.sent.clear();
  }

  /** Stops the archive worker (when the page goes away). */
  dispose(): void {
    this.reset();
    this.#worker?.terminate();
    this.#worker = null;
    for (const worker of this.#headWorkers) worker.terminate();
  }

  #archiveExpander() {
    this.#worker ??= startArchiveWorker();
    return this.#worker ? workerArchiveExpander(this.#worker) : null;
  }
}
