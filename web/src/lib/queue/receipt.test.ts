import { describe, expect, it } from "vitest";
import type { SessionStatus } from "../uploader/contract";
import { failedFiles, serverView } from "./receipt";

function status(patch: Partial<SessionStatus>): SessionStatus {
  return {
    sessionId: "0123456789abcdef0123456789abcdef",
    state: "partially_delivered",
    message: "Received by PACS: 1 of 3.",
    createdAt: 0,
    updatedAt: 0,
    chunkSize: { min: 1, max: 2, preferred: 1 },
    files: [],
    counts: { files: 3, accepted: 2, stored: 1, failed: 1 },
    ...patch,
  };
}

const file = (index: number, extra: Partial<SessionStatus["files"][number]>) => ({
  index,
  name: `file ${index + 1}`,
  size: 10,
  received: [],
  missing: [],
  ...extra,
});

describe("what the server's answer leaves to do", () => {
  it("a file the PACS refused can be sent again; one the relay refused cannot", () => {
    const answer = status({
      files: [
        file(0, { outcome: { status: "stored", message: "Stored.", confirmed: true } }),
        file(1, { outcome: { status: "failed", message: "SOP class not supported." } }),
        file(2, { verdict: { accepted: false, code: "not_dicom", message: "Not a DICOM file." } }),
      ],
    });
    expect(failedFiles(answer)).toEqual([
      { index: 1, message: "SOP class not supported.", retryable: true },
      { index: 2, message: "Not a DICOM file.", retryable: false },
    ]);
    expect(serverView(answer)).toMatchObject({ stored: 1, confirmed: 1, failed: 2 });
  });

  it("a file still unanswered when the session ended counts as not received", () => {
    const answer = status({ state: "failed", files: [file(0, {})] });
    expect(failedFiles(answer)[0]).toMatchObject({ index: 0, retryable: true });
  });

  it("while the PACS works, nothing has failed yet", () => {
    expect(failedFiles(status({ state: "forwarding", files: [file(0, {})] }))).toEqual([]);
  });
});
