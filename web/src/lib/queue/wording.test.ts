import { describe, expect, it } from "vitest";
import { newJob, type Job, type Receipt } from "./job";
import { describeJob, describeReceipt, timeLeft } from "./wording";

const NOW = 1_700_000_000_000;
const MB = 1_000_000;

function job(patch: Partial<Job> = {}): Job {
  const base = newJob({
    id: "j1",
    ownerId: "u1",
    files: Array.from({ length: 30 }, (_, i) => ({
      name: `f${i}`,
      size: MB,
      sha256: "a".repeat(64),
    })),
    label: {},
    encrypted: false,
    now: NOW,
  });
  return { ...base, ...patch };
}

const online = { now: NOW, online: true };

describe("the queue's words", () => {
  it("an offline job is waiting for the network, and may be left alone", () => {
    const words = describeJob(job(), undefined, { now: NOW, online: false });
    expect(words.title).toBe("Waiting for network");
    expect(words.detail).toContain("you can close the app");
  });

  it("an uploading job says how far, how many files and how long", () => {
    const files = job().files.map((f, i) =>
      i < 12 ? { ...f, received: [[0, MB]] as [number, number][] } : f,
    );
    const words = describeJob(
      job({ state: "uploading", files }),
      { phase: "uploading", bytesDone: 13 * MB, bytesTotal: 30 * MB, rateBps: 140_000 },
      online,
    );
    expect(words.title).toBe("Uploading 43% — 12 of 30 files — about 2 min left");
    expect(words.percent).toBe(43);
  });

  it("a job nobody has moved for a while is not 'uploading'", () => {
    const stale = job({ state: "uploading", live: { rateBps: 1, activeAt: NOW - 60_000 } });
    expect(describeJob(stale, undefined, online).title).toBe("Waiting to upload");
  });

  it("waiting for a sign-in and for the server are told apart", () => {
    const signIn = job({ wait: { reason: "sign_in", at: NOW } });
    expect(describeJob(signIn, undefined, online).title).toBe("Waiting for you to sign in");
    const server = job({ wait: { reason: "server", at: NOW } });
    expect(describeJob(server, undefined, online).title).toBe("Waiting for the server");
  });

  it("a sent job waits for the PACS, in the server's words when the PACS is down", () => {
    expect(describeJob(job({ state: "sent" }), undefined, online).title).toBe("Sent to PACS");
    const message = "The PACS could not be reached. RelayPACS will try again automatically.";
    const server = {
      state: "queued" as const,
      message,
      files: 30,
      accepted: 30,
      stored: 0,
      confirmed: 0,
      failed: 0,
      failedFiles: [],
    };
    expect(describeJob(job({ state: "sent", server }), undefined, online).detail).toBe(message);
  });

  it("a partly refused job needs attention: how many, why, and what to do", () => {
    const words = describeJob(
      job({
        state: "attention",
        attention: {
          code: "partially_delivered",
          message: "2 files were refused.",
          action: "retry_failed",
        },
        server: {
          state: "partially_delivered",
          message: "2 files were refused.",
          files: 30,
          accepted: 30,
          stored: 28,
          confirmed: 28,
          failed: 2,
          failedFiles: [
            { index: 3, message: "No.", retryable: true },
            { index: 9, message: "No.", retryable: true },
          ],
        },
      }),
      undefined,
      online,
    );
    expect(words.title).toBe("Needs attention: 2 of 30 files not received");
    expect(words.detail).toContain("Retry failed files");
    expect(words.detail).toContain("the others arrived");
    expect(words.tone).toBe("attention");
  });

  it("when every file was refused it does not claim the others arrived", () => {
    const all = job();
    const failedFiles = all.files.map((_, index) => ({ index, message: "No.", retryable: true }));
    const words = describeJob(
      job({
        state: "attention",
        attention: { code: "failed", message: "The PACS refused them.", action: "retry_failed" },
        server: {
          state: "failed",
          message: "The PACS refused them.",
          files: 30,
          accepted: 30,
          stored: 0,
          confirmed: 0,
          failed: 30,
          failedFiles,
        },
      }),
      undefined,
      online,
    );
    expect(words.title).toBe("Needs attention: 30 of 30 files not received");
    expect(words.detail).not.toContain("others");
    expect(words.detail).toContain("sends them again");
  });

  it("time left reads like a person would say it", () => {
    expect(timeLeft(1_000, 100_000)).toBe("less than a minute left");
    expect(timeLeft(12 * MB, 100_000)).toBe("about 2 min left");
    expect(timeLeft(500 * MB, 100_000)).toBe("about 1 h 23 min left");
    expect(timeLeft(MB, null)).toBe("");
  });

  it("a receipt says what the PACS confirmed, and nothing about the patient", () => {
    const receipt: Receipt = {
      ref: "0123456789abcdef0123456789abcdef",
      outcome: "delivered",
      files: 30,
      bytes: 30 * MB,
      stored: 30,
      confirmed: 30,
      failed: 0,
      queuedAt: NOW,
      sentAt: NOW,
      finishedAt: NOW,
      retries: 0,
      bytesResent: 0,
      sessionId: null,
      queuedOffline: false,
      reported: true,
    };
    expect(describeReceipt(receipt).title).toBe("Confirmed by PACS 30 of 30");
    expect(describeReceipt({ ...receipt, confirmed: 0 }).title).toBe("Received by PACS 30 of 30");
    expect(describeReceipt({ ...receipt, outcome: "cancelled" }).title).toContain("Cancelled");
  });
});
