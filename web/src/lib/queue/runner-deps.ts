// What the queue's runner needs from the world (ports), and how it is tuned. The page and the
// service worker pass their own; unit tests pass fakes.
import type { Api } from "../uploader/api";
import type { SessionStatus } from "../uploader/contract";
import type { Clock } from "../uploader/ports";
import { DEFAULT_SIZER, type SizerOptions } from "./chunk-size";
import type { JobStore } from "./store-port";

export interface Tuning {
  /** A chunk request with no progress for this long is aborted and tried again. */
  stallMs: number;
  sizer: SizerOptions;
  /** Failed requests in a row, within one run, before the job waits for the next run. */
  maxFailures: number;
  /** Times the server may ask for bytes again (whole-file checksum mismatch) before we stop. */
  maxResendRounds: number;
  /** Refresh the upload token when it has less than this left. */
  tokenMarginMs: number;
  /** Status polls in one run, while the PACS works, before the run ends (the timer goes on). */
  maxPollRounds: number;
}

export const DEFAULT_TUNING: Tuning = {
  stallMs: 30_000,
  sizer: DEFAULT_SIZER,
  maxFailures: 4,
  maxResendRounds: 3,
  tokenMarginMs: 2 * 60_000,
  maxPollRounds: 40,
};

/** Live progress of the job being run, for the screen; never stored. */
export interface LiveProgress {
  phase: "hashing" | "uploading";
  bytesDone: number;
  bytesTotal: number;
  rateBps: number | null;
}

export interface RunnerEvents {
  progress(jobId: string, live: LiveProgress): void;
  /** The job's stored record changed (or the job is gone). */
  changed(jobId: string): void;
  /** The PACS's full final answer, for a screen that waits for it; kept in memory only. */
  settled(jobId: string, status: SessionStatus): void;
}

export interface RunnerDeps {
  store: JobStore;
  api: Api;
  clock: Clock;
  /** A valid access token, refreshed when needed, or null when nobody is signed in. */
  getAccessToken: () => Promise<string | null>;
  random: () => number;
  tuning: Tuning;
  events: RunnerEvents;
}

export const NO_EVENTS: RunnerEvents = {
  progress: () => undefined,
  changed: () => undefined,
  settled: () => undefined,
};
