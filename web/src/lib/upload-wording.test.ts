import { describe, expect, it } from "vitest";
import { fileOutcome, progressText } from "./upload-wording";
import type { UploadProgress } from "./uploader/upload-session";

const base: UploadProgress = {
  phase: "uploading",
  bytesTotal: 1000,
  bytesHashed: 1000,
  bytesSent: 430,
  filesTotal: 30,
  filesDone: 12,
};

describe("upload wording", () => {
  it("uploading shows the percentage of bytes and the files done", () => {
    expect(progressText(base)).toBe("Uploading 43% (12 of 30 files)");
    expect(progressText({ ...base, filesTotal: 1, filesDone: 0 })).toBe(
      "Uploading 43% (0 of 1 file)",
    );
  });

  it("the server-side phases read as plain steps", () => {
    expect(progressText({ ...base, phase: "checking" })).toBe("Checking files…");
    expect(progressText({ ...base, phase: "sending" })).toBe("Sending to PACS…");
  });

  it("a file the server refused shows the server's reason", () => {
    const file = {
      index: 0,
      name: "notes.txt",
      size: 3,
      received: [],
      missing: [],
      verdict: { accepted: false, code: "not_dicom", message: "This file is not a DICOM image." },
    };
    expect(fileOutcome(file)).toEqual({
      tone: "failed",
      label: "Not sent",
      detail: "This file is not a DICOM image.",
    });
  });
});
