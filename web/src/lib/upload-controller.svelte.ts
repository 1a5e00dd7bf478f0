// The upload screen's state, as runes: picked files and their headers, the clinical impression, and
// the running upload. A thin shell over the framework-free core in ./uploader and ./dicom.
import type { SessionStatus } from "$contract";
import { readHeader } from "./dicom/read-header";
import { summariseStudy, type PickedFile } from "./dicom/study-summary";
import { ApiError, type Api } from "./uploader/api";
import { systemClock, type Clock } from "./uploader/ports";
import { UploadFailed, uploadStudy, type UploadProgress } from "./uploader/upload-session";

export type UploadStage = "choose" | "reading" | "ready" | "sending" | "finished" | "failed";

export interface UploadControllerDeps {
  api: Api;
  clock?: Clock;
  /** The current access token, or null when signed out. */
  accessToken: () => string | null;
  /** Called when the server says the sign-in has ended. */
  onSignedOut: () => void;
}

const UNEXPECTED_MESSAGE = "Something went wrong in this app. Please try again.";

export class UploadController {
  stage = $state<UploadStage>("choose");
  files = $state.raw<readonly File[]>([]);
  picked = $state.raw<readonly PickedFile[]>([]);
  impression = $state("");
  progress = $state.raw<UploadProgress | null>(null);
  result = $state.raw<SessionStatus | null>(null);
  error = $state<string | null>(null);
  readonly summary = $derived(summariseStudy(this.picked));

  readonly #deps: UploadControllerDeps;
  #abort: AbortController | null = null;
  #pickRound = 0;

  constructor(deps: UploadControllerDeps) {
    this.#deps = deps;
  }

  /** Takes the picked files and reads their headers, one after another. */
  async choose(fileList: Iterable<File>): Promise<void> {
    const files = [...fileList];
    // Closing the file picker without choosing keeps what was picked before.
    if (files.length === 0) return;
    const round = ++this.#pickRound;
    this.files = files;
    this.picked = [];
    this.result = null;
    this.progress = null;
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

  /** Uploads the picked files as one study and waits for the PACS's answer. */
  async send(): Promise<void> {
    const accessToken = this.#deps.accessToken();
    if (accessToken === null) {
      this.#deps.onSignedOut();
      return;
    }
    if (this.files.length === 0) return;
    const abort = new AbortController();
    this.#abort = abort;
    this.stage = "sending";
    this.error = null;
    this.result = null;
    this.progress = null;
    try {
      const impression = this.impression.trim();
      this.result = await uploadStudy(
        {
          files: this.files,
          accessToken,
          ...(impression ? { clinicalImpression: impression } : {}),
        },
        {
          api: this.#deps.api,
          clock: this.#deps.clock ?? systemClock,
          signal: abort.signal,
          onProgress: (progress) => {
            if (!abort.signal.aborted) this.progress = progress;
          },
        },
      );
      this.stage = "finished";
    } catch (error) {
      if (abort.signal.aborted) return;
      // The access token is only used to open the session: a 401 there means the sign-in ended.
      if (error instanceof ApiError && error.status === 401 && this.#phase() === "starting") {
        this.#deps.onSignedOut();
      }
      this.error =
        error instanceof ApiError || error instanceof UploadFailed
          ? error.message
          : UNEXPECTED_MESSAGE;
      if (this.error === UNEXPECTED_MESSAGE) console.error("upload failed", error);
      this.stage = "failed";
    } finally {
      if (this.#abort === abort) this.#abort = null;
    }
  }

  #phase(): UploadProgress["phase"] | undefined {
    return this.progress?.phase;
  }

  /** Stops a running upload and goes back to the picked files. */
  cancel(): void {
    this.#abort?.abort(new DOMException("Upload stopped", "AbortError"));
    this.#abort = null;
    this.progress = null;
    this.stage = this.files.length > 0 ? "ready" : "choose";
  }

  /** Forgets everything, ready for another study. */
  reset(): void {
    this.cancel();
    this.#pickRound++;
    this.files = [];
    this.picked = [];
    this.impression = "";
    this.result = null;
    this.error = null;
    this.stage = "choose";
  }
}
