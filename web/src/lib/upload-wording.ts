// The words the upload screens use for progress and outcomes. Pure, so they are tested once and
// components only place them.
import type { FileStatus, SessionStatus } from "$contract";
import type { UploadProgress } from "./uploader/upload-session";

export function percent(done: number, total: number): number {
  return total <= 0 ? 100 : Math.min(100, Math.floor((done * 100) / total));
}

function filesOf(done: number, total: number): string {
  return `${done} of ${total} ${total === 1 ? "file" : "files"}`;
}

/** One line saying where the upload is: "Uploading 43% (12 of 30 files)". */
export function progressText(progress: UploadProgress): string {
  switch (progress.phase) {
    case "hashing":
      return `Preparing files ${percent(progress.bytesHashed, progress.bytesTotal)}%`;
    case "starting":
      return "Starting the upload…";
    case "uploading":
      return `Uploading ${percent(progress.bytesSent, progress.bytesTotal)}% (${filesOf(progress.filesDone, progress.filesTotal)})`;
    case "checking":
      return "Checking files…";
    case "sending":
      return "Sending to PACS…";
    case "finished":
      return progress.status ? resultSummary(progress.status) : "Finished";
  }
}

/** How far the progress bar is, 0-100, for the phase it is in. */
export function progressPercent(progress: UploadProgress): number {
  switch (progress.phase) {
    case "hashing":
      return percent(progress.bytesHashed, progress.bytesTotal);
    case "uploading":
      return percent(progress.bytesSent, progress.bytesTotal);
    case "starting":
      return 0;
    case "checking":
    case "sending":
    case "finished":
      return 100;
  }
}

export function resultSummary(status: SessionStatus): string {
  return `Received by PACS: ${status.counts.stored} of ${status.counts.files}`;
}

export type OutcomeTone = "ok" | "warning" | "failed" | "pending";

/** What happened to one file, in a few words, and the server's explanation. */
export function fileOutcome(file: FileStatus): {
  tone: OutcomeTone;
  label: string;
  detail: string;
} {
  const { outcome, verdict } = file;
  if (outcome) {
    switch (outcome.status) {
      case "stored":
        return { tone: "ok", label: "Received by PACS", detail: outcome.message };
      case "warning":
        return { tone: "warning", label: "Received by PACS, with a note", detail: outcome.message };
      case "failed":
        return { tone: "failed", label: "Not received", detail: outcome.message };
      case "pending":
        return { tone: "pending", label: "Waiting for the PACS", detail: outcome.message };
    }
  }
  if (verdict && !verdict.accepted)
    return { tone: "failed", label: "Not sent", detail: verdict.message };
  return { tone: "pending", label: "No answer from the PACS yet", detail: verdict?.message ?? "" };
}
