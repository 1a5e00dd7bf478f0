// The queue screen's words: what each job is doing and what the person can do, and what each
// receipt says. Pure, so every state is tested once and components only place the words.
import { ackedBytes, filesDone, jobBytes, type Job, type Receipt } from "./job";
import type { LiveProgress } from "./runner-deps";

export type Tone = "working" | "waiting" | "ok" | "attention";

export interface JobWords {
  tone: Tone;
  /** One line: "Uploading 43% — 12 of 30 files — about 2 min left". */
  title: string;
  /** What happens next, or what to do. */
  detail: string;
  /** 0-100 for a progress bar, or null for none (waiting) or an indefinite one (the PACS works). */
  percent: number | null;
}

export interface Circumstances {
  now: number;
  online: boolean;
}

/** A job the runner has not moved for this long is not "uploading" any more, whatever it says. */
export const STALE_MS = 20_000;

function pct(done: number, total: number): number {
  return total <= 0 ? 100 : Math.min(100, Math.floor((done * 100) / total));
}

function ofFiles(done: number, total: number): string {
  return `${done} of ${total} ${total === 1 ? "file" : "files"}`;
}

/** "about 2 min left", from the bytes left and the measured rate. */
export function timeLeft(bytesLeft: number, rateBps: number | null): string {
  if (!rateBps || rateBps <= 0) return "";
  const seconds = bytesLeft / rateBps;
  if (seconds < 60) return "less than a minute left";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes} min left`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return `about ${hours} h${rest ? ` ${rest} min` : ""} left`;
}

const CLOSE_OK = "It uploads by itself when the network is back; you can close the app.";

function waiting(job: Job, on: Circumstances): JobWords {
  const percent = job.state === "uploading" ? pct(ackedBytes(job), jobBytes(job)) : null;
  if (!on.online || job.wait?.reason === "network") {
    return { tone: "waiting", title: "Waiting for network", detail: CLOSE_OK, percent };
  }
  if (job.wait?.reason === "sign_in") {
    const detail = "Sign in to send this study. It stays safe on this device until then.";
    return { tone: "waiting", title: "Waiting for you to sign in", detail, percent };
  }
  if (job.wait?.reason === "server") {
    const detail = "The server did not answer. The app tries again by itself.";
    return { tone: "waiting", title: "Waiting for the server", detail, percent };
  }
  const detail = "It starts when the studies before it are sent.";
  return { tone: "waiting", title: "Waiting to upload", detail, percent };
}

export function describeJob(job: Job, live: LiveProgress | undefined, on: Circumstances): JobWords {
  const total = jobBytes(job);
  const running =
    live !== undefined || (job.live !== null && on.now - job.live.activeAt < STALE_MS);
  switch (job.state) {
    case "preparing": {
      const percent = live?.phase === "hashing" ? pct(live.bytesDone, live.bytesTotal) : 0;
      const detail = "Checking the files before they are sent.";
      return { tone: "working", title: `Preparing files ${percent}%`, detail, percent };
    }
    case "waiting":
      return waiting(job, on);
    case "uploading": {
      if (!running || !on.online) return waiting(job, on);
      const done = live?.phase === "uploading" ? live.bytesDone : ackedBytes(job);
      const rate = live?.rateBps ?? job.live?.rateBps ?? null;
      const left = timeLeft(total - done, rate);
      const parts = [`Uploading ${pct(done, total)}%`, ofFiles(filesDone(job), job.files.length)];
      const title = [...parts, ...(left ? [left] : [])].join(" — ");
      const detail = "You can leave this screen; the upload goes on while the app is open.";
      return { tone: "working", title, detail, percent: pct(done, total) };
    }
    case "sent": {
      const server = job.server;
      const title =
        server?.state === "verifying" ? "Sent — the server is checking the files" : "Sent to PACS";
      // The server's own sentence says when the PACS cannot be reached and it keeps trying.
      const detail =
        job.wait?.reason === "network"
          ? "Waiting for network to hear the PACS's answer."
          : server?.message || "Waiting for the PACS to confirm it has every file.";
      return { tone: "working", title, detail, percent: null };
    }
    case "attention":
      return attentionWords(job);
  }
}

function attentionWords(job: Job): JobWords {
  const attention = job.attention;
  const server = job.server;
  const reason = attention?.message ?? "This study could not be sent.";
  switch (attention?.action) {
    case "retry_failed": {
      const failed = server?.failedFiles.length ?? 0;
      const title = `Needs attention: ${failed} of ${job.files.length} files not received`;
      const others = job.files.length - failed;
      const detail =
        others > 0
          ? `${reason} "Retry failed files" sends only those again; the others arrived.`
          : `${reason} "Retry failed files" sends them again.`;
      return { tone: "attention", title, detail, percent: null };
    }
    case "dismiss": {
      const detail = `${reason} These files cannot go to this PACS as they are. Dismiss once read.`;
      return {
        tone: "attention",
        title: "Needs attention: not every file was sent",
        detail,
        percent: null,
      };
    }
    case "sign_in":
      return {
        tone: "attention",
        title: "Needs attention: sign in again",
        detail: reason,
        percent: null,
      };
    case "retry":
    case undefined:
      return {
        tone: "attention",
        title: "Needs attention",
        detail: `${reason} Try again, or cancel to remove it from this device.`,
        percent: null,
      };
  }
}

/** "Confirmed by PACS 30 of 30", "Received by PACS 28 of 30", "Cancelled". */
export function describeReceipt(receipt: Receipt): { tone: Tone; title: string } {
  const { files, stored, confirmed } = receipt;
  switch (receipt.outcome) {
    case "delivered":
      return confirmed >= files
        ? { tone: "ok", title: `Confirmed by PACS ${confirmed} of ${files}` }
        : { tone: "ok", title: `Received by PACS ${stored} of ${files}` };
    case "partially_delivered":
    case "failed":
      return { tone: "attention", title: `Received by PACS ${stored} of ${files}` };
    case "expired":
      return { tone: "attention", title: "Expired on the server before it was sent" };
    case "cancelled":
      return { tone: "waiting", title: "Cancelled: nothing kept on this device" };
  }
}

/** The first eight characters of the opaque reference: enough to quote to an administrator. */
export function shortRef(receipt: Receipt): string {
  return receipt.ref.slice(0, 8);
}
