// The client's view of a session, with one plain-language sentence saying where it stands.
import type { FileStatus, SessionStatus } from "../worker/contract";
import { missingRanges, receivedRanges } from "./chunk-ledger";
import {
  parseOutcome,
  parseVerdict,
  type ChunkRow,
  type FileRow,
  type SessionMeta,
} from "./session-store";

export function fileStatus(row: FileRow, chunks: readonly ChunkRow[]): FileStatus {
  return {
    index: row.idx,
    name: row.name,
    size: row.size,
    received: receivedRanges(chunks),
    missing: missingRanges(chunks, row.size),
    verdict: parseVerdict(row.verdict),
    outcome: parseOutcome(row.outcome),
  };
}

function sentence(meta: SessionMeta, counts: SessionStatus["counts"], files: FileStatus[]): string {
  const phase = meta.phase;
  switch (phase.kind) {
    case "receiving": {
      const complete = files.filter((f) => f.missing.length === 0).length;
      const retry = files.filter((f) => f.verdict?.code === "checksum_mismatch").length;
      return retry > 0
        ? `${retry} file(s) arrived damaged and must be sent again.`
        : `Receiving files: ${complete} of ${counts.files} complete.`;
    }
    case "verifying":
      return "Checking the files.";
    case "queued":
      if (phase.resent) return "Sending was interrupted. RelayPACS is sending it again.";
      return phase.attempts > 0
        ? "The PACS could not be reached. RelayPACS will try again automatically."
        : "Checked. Waiting to be sent to the PACS.";
    case "forwarding":
      return "Sending to the PACS.";
    case "delivered":
      return `Received by PACS: ${counts.stored} of ${counts.accepted}.`;
    case "partially_delivered":
      return `Received by PACS: ${counts.stored} of ${counts.accepted}. Some images were refused; each file says why.`;
    case "failed":
      if (phase.reason === "nothing_acceptable")
        return "None of these files can be sent to a PACS; each file says why.";
      if (phase.reason === "relay_stalled")
        return "RelayPACS could not start sending this study to the PACS. Send it again; if this happens again, tell your administrator.";
      if (files.some((f) => f.outcome?.code?.startsWith("confirm_")))
        return "The PACS may hold these images, but it cannot be asked to confirm them, so RelayPACS does not count them as delivered. Ask your administrator to check this PACS destination; each file says what to do.";
      return "The PACS did not accept this study; each file says why.";
    case "expired":
      return "This upload was not finished in time and was removed. Please start again.";
    default: {
      const never: never = phase;
      return String(never);
    }
  }
}

export function describeSession(meta: SessionMeta, files: FileStatus[]): SessionStatus {
  const counts = {
    files: files.length,
    accepted: files.filter((f) => f.verdict?.accepted).length,
    stored: files.filter((f) => f.outcome?.status === "stored" || f.outcome?.status === "warning")
      .length,
    failed: files.filter((f) => f.outcome?.status === "failed").length,
  };
  const message = [sentence(meta, counts, files), ...meta.warnings].join(" ");
  return {
    sessionId: meta.sessionId,
    state: meta.phase.kind,
    message,
    createdAt: meta.createdAt,
    updatedAt: meta.updatedAt,
    chunkSize: meta.chunkSize,
    files,
    counts,
  };
}
