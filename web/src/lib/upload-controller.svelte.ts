// The upload screen's state, as runes: picked files and their headers, the clinical impression, and
// the study's job in the offline queue. `send()` persists the study in the queue first (nothing is
// lost if the app closes or the network is gone), lets the queue's runner send it, and follows the
// job until the PACS answers. A thin shell over ./queue and ./dicom.
import type { SessionStatus } from "$contract";
import { readHeader } from "./dicom/read-header";
import { summariseStudy, type PickedFile, type StudySummary } from "./dicom/study-summary";
import { queue as appQueue, type Settlement } from "./queue/app-queue.svelte";
import type { EnqueueRequest } from "./queue/enqueue";
import { ackedBytes, filesDone, jobBytes, type Job, type StudyLabel } from "./queue/job";
import type { LiveProgress } from "./queue/runner-deps";
import { QueueRefused } from "./queue/space";
import { describeJob } from "./queue/wording";
import type { Api } from "./uploader/api";
import type { Clock } from "./uploader/ports";
import type { UploadProgress } from "./uploader/upload-session";

export type UploadStage = "choose" | "reading" | "ready" | "sending" | "finished" | "failed";

/** What the controller needs of the queue (the app's queue by default). */
export interface UploadQueue {
  readonly jobs: readonly Job[];
  readonly live: Readonly<Record<string, LiveProgress>>;
  readonly online: boolean;
  readonly now: number;
  enqueue(request: Omit<EnqueueRequest, "ownerId" | "encrypt">): Promise<Job>;
  waitFor(jobId: string, signal: AbortSignal): Promise<Settlement>;
  retry(jobId: string): Promise<void>;
  cancel(jobId: string): Promise<void>;
  start?(): void;
}

export interface UploadControllerDeps {
  /** Kept for the screens that pass it; the queue brings its own client. */
  api?: Api;
  clock?: Clock;
  /** The current access token, or null when signed out (the queue asks for a fresh one itself). */
  accessToken?: () => string | null;
  /** Called when the study cannot go until someone signs in again. */
  onSignedOut: () => void;
  /** Called once the study is safe in the queue (e.g. to show the queue screen). */
  onQueued?: (jobId: string) => void;
  queue?: UploadQueue;
}

const UNEXPECTED_MESSAGE = "Something went wrong in this app. Please try again.";

export class UploadController {
  stage = $state<UploadStage>("choose");
  files = $state.raw<readonly File[]>([]);
  picked = $state.raw<readonly PickedFile[]>([]);
  impression = $state("");
  result = $state.raw<SessionStatus | null>(null);
  error = $state<string | null>(null);
  /** How the queue screen names the study; taken from the picked files' headers when not set. */
  label = $state.raw<StudyLabel | null>(null);
  /** The queued job this screen follows, while it is in the queue. */
  jobId = $state<string | null>(null);
  readonly summary = $derived(summariseStudy(this.picked));

  readonly #deps: UploadControllerDeps;
  readonly #queue: UploadQueue;
  #watch: AbortController | null = null;
  #pickRound = 0;
  #toldSignedOut = false;

  constructor(deps: UploadControllerDeps) {
    this.#deps = deps;
    this.#queue = deps.queue ?? appQueue;
    // Opening the upload screen also resumes whatever waits in the queue.
    if (typeof window !== "undefined") this.#queue.start?.();
  }

  /** The followed job, as the queue has it now. */
  get job(): Job | null {
    return this.#queue.jobs.find((j) => j.id === this.jobId) ?? null;
  }

  /** Where the upload is, in the progress view's terms. */
  get progress(): UploadProgress | null {
    const job = this.job;
    return job ? progressOf(job, this.#queue.live[job.id]) : null;
  }

  /** The queue's words for the job ("Waiting for network", "Uploading 43% — …"). */
  get queueText(): string | null {
    const job = this.job;
    if (!job) return null;
    const { online, now } = this.#queue;
    return describeJob(job, this.#queue.live[job.id], { online, now }).title;
  }

  /** Takes the picked files and reads their headers, one after another. */
  async choose(fileList: Iterable<File>): Promise<void> {
    const files = [...fileList];
    // Closing the file picker without choosing keeps what was picked before.
    if (files.length === 0) return;
    const round = ++this.#pickRound;
    this.#follow(null);
    this.files = files;
    this.picked = [];
    this.result = null;
    this.error = null;
    this.stage = "reading";
    const picked: PickedFile[] = [];
    for (const file of files) {
      const header = await readHeader(file).catch(() => ({ kind: "not-dicom" }) as const);
      if (round !== this.#pickRound) return; // The user picked other files meanwhile.
      picked.push({ name: file.name, size: file.size, header });
      this.picked = [...picked];
    }
    this.stage = "ready";
  }

  /** Queues the picked files as one study (persisted first), then follows it to the PACS's answer. */
  async send(): Promise<void> {
    if (this.files.length === 0 && !this.jobId) return;
    this.stage = "sending";
    this.error = null;
    this.result = null;
    try {
      const queued = this.job;
      if (queued?.state === "attention") {
        await this.#queue.retry(queued.id);
      } else if (!queued) {
        const impression = this.impression.trim();
        const job = await this.#queue.enqueue({
          files: this.files,
          ...(impression ? { clinicalImpression: impression } : {}),
          label: this.label ?? (await this.#labelFromFiles()),
        });
        this.jobId = job.id;
        this.#deps.onQueued?.(job.id);
      }
    } catch (error) {
      this.error = error instanceof QueueRefused ? error.message : UNEXPECTED_MESSAGE;
      if (!(error instanceof QueueRefused)) console.error("could not queue the study", error);
      this.stage = "failed";
      return;
    }
    await this.#followToEnd();
  }

  /** The study's name for the queue screen, from the picked headers or the first file's. */
  async #labelFromFiles(): Promise<StudyLabel> {
    if (this.picked.length > 0) return labelOf(this.summary);
    for (const file of this.files.slice(0, 5)) {
      const read = await readHeader(file).catch(() => null);
      if (read?.kind === "dicom") {
        const picked = [{ name: file.name, size: file.size, header: read }];
        return { ...labelOf(summariseStudy(picked)), description: read.header.studyDescription };
      }
    }
    return {};
  }

  async #followToEnd(): Promise<void> {
    const jobId = this.jobId;
    if (!jobId) return;
    const watch = this.#follow(new AbortController());
    const stopSignIn = $effect.root(() => {
      $effect(() => {
        if (this.job?.wait?.reason === "sign_in" && !this.#toldSignedOut) {
          this.#toldSignedOut = true;
          this.#deps.onSignedOut();
        }
      });
    });
    let settlement: Settlement;
    try {
      settlement = await this.#queue.waitFor(jobId, watch.signal);
    } catch {
      return; // No longer followed (cancel, reset, other files).
    } finally {
      stopSignIn();
    }
    if (settlement.kind === "attention") {
      this.result = settlement.status;
      this.error = settlement.job.attention?.message ?? UNEXPECTED_MESSAGE;
      this.stage = settlement.status ? "finished" : "failed";
      return;
    }
    this.result = settlement.status ?? statusFromReceipt(settlement);
    // The PACS has it: forget the files, the headers (patient data) and the note.
    this.jobId = null;
    this.files = [];
    this.picked = [];
    this.impression = "";
    this.label = null;
    this.stage = this.result ? "finished" : "choose";
  }

  /**
   * Stops following the upload on this screen and goes back to the picked files. The study stays
   * in the queue and goes on; `cancelJob()` removes it.
   */
  cancel(): void {
    this.#follow(null);
    this.stage = this.files.length > 0 ? "ready" : "choose";
  }

  /** Removes the followed study from the queue (after the person confirmed), files and all. */
  async cancelJob(): Promise<void> {
    const jobId = this.jobId;
    this.#follow(null);
    if (jobId) await this.#queue.cancel(jobId);
    this.jobId = null;
    this.stage = this.files.length > 0 ? "ready" : "choose";
  }

  /** Forgets everything, ready for another study (a queued one goes on in the queue). */
  reset(): void {
    this.#follow(null);
    this.#pickRound++;
    this.jobId = null;
    this.files = [];
    this.picked = [];
    this.impression = "";
    this.label = null;
    this.result = null;
    this.error = null;
    this.stage = "choose";
  }

  #follow(next: AbortController | null): AbortController {
    this.#watch?.abort(new DOMException("No longer followed", "AbortError"));
    this.#watch = next;
    if (!next) this.#toldSignedOut = false;
    return next ?? new AbortController();
  }
}

function progressOf(job: Job, live: LiveProgress | undefined): UploadProgress {
  const bytesTotal = jobBytes(job);
  const base = {
    bytesTotal,
    bytesHashed: job.state === "preparing" ? (live?.bytesDone ?? 0) : bytesTotal,
    bytesSent: live?.phase === "uploading" ? live.bytesDone : ackedBytes(job),
    filesTotal: job.files.length,
    filesDone: filesDone(job),
    ...(job.session ? { sessionId: job.session.sessionId } : {}),
  };
  switch (job.state) {
    case "preparing":
      return { ...base, phase: "hashing" };
    case "waiting":
      return { ...base, phase: "starting" };
    case "uploading":
      return { ...base, phase: "uploading" };
    case "sent":
      return { ...base, phase: job.server?.state === "verifying" ? "checking" : "sending" };
    case "attention":
      return { ...base, phase: "finished" };
  }
}

function labelOf(summary: StudySummary): StudyLabel {
  const join = (values: readonly string[]) => (values.length > 0 ? values.join(", ") : undefined);
  const label: StudyLabel = {};
  const patientName = join(summary.patientNames);
  const studyDate = summary.studyDates[0];
  const modality = join(summary.modalities);
  if (patientName) label.patientName = patientName;
  if (studyDate) label.studyDate = studyDate;
  if (modality) label.modality = modality;
  return label;
}

/** The PACS's answer as counts only, when another tab or the service worker heard it. */
function statusFromReceipt(settlement: Settlement): SessionStatus | null {
  const receipt = settlement.kind === "finished" ? settlement.receipt : null;
  if (!receipt || !/^[0-9a-f]{32}$/.test(receipt.ref) || receipt.outcome === "cancelled")
    return null;
  return {
    sessionId: receipt.ref,
    state: receipt.outcome,
    message: "",
    createdAt: receipt.queuedAt,
    updatedAt: receipt.finishedAt,
    chunkSize: { min: 0, max: 0, preferred: 0 },
    files: [],
    counts: {
      files: receipt.files,
      accepted: receipt.files,
      stored: receipt.stored,
      failed: receipt.failed,
    },
  };
}
