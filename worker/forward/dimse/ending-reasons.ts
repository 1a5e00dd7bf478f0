// Plain-language reasons for images that were not stored because of the connection rather than
// the PACS's answer about them: the association was rejected, aborted, lost, timed out, or the
// stored file could not be read. AE titles, host and port are configuration, never patient data.
import type { Ending, Phase } from "./association-machine";

export interface PeerDescription {
  host: string;
  port: number;
  callingAeTitle: string;
  calledAeTitle: string;
  timeoutMs: number;
}

export interface FailureReason {
  code: string;
  reason: string;
  /** Whether sending again later, unchanged, may work. */
  retryable: boolean;
}

const ASK_ADMIN = "Ask your PACS administrator";
const AGAIN = "RelayPACS can send it again.";

function rejection(e: Extract<Ending, { kind: "rejected" }>, p: PeerDescription): FailureReason {
  const transient = e.result === 2;
  const fail = (reason: string, retryable = transient): FailureReason => ({
    code: "association_rejected",
    reason,
    retryable,
  });
  if (e.source === 1 && e.reason === 7) {
    return fail(
      `The PACS refused the connection: it does not answer to the AE title "${p.calledAeTitle}" that RelayPACS called it by. Check the PACS AE title in RelayPACS's settings with your PACS administrator.`,
    );
  }
  if (e.source === 1 && e.reason === 3) {
    return fail(
      `The PACS refused the connection: it does not know RelayPACS's AE title "${p.callingAeTitle}". ${ASK_ADMIN} to add RelayPACS (AE title "${p.callingAeTitle}") to the PACS's allowed senders.`,
    );
  }
  if (e.source === 3 && e.reason === 1) {
    return fail(
      "The PACS is too busy to accept a connection right now. RelayPACS will try again later.",
      true,
    );
  }
  if (e.source === 3 && e.reason === 2) {
    return fail(
      "The PACS has reached its limit of simultaneous connections. RelayPACS will try again later.",
      true,
    );
  }
  if (e.source === 2 && e.reason === 2) {
    return fail(
      `The PACS does not speak this version of the DICOM network protocol. ${ASK_ADMIN}.`,
    );
  }
  const when = transient ? "for now" : "permanently";
  return fail(
    `The PACS refused the connection ${when} and gave no usable reason (result ${e.result}, source ${e.source}, reason ${e.reason}). ${ASK_ADMIN} to check the PACS logs.`,
  );
}

function during(phase: Phase): string {
  switch (phase) {
    case "connect":
    case "associate":
      return "while RelayPACS was opening the connection";
    case "send":
      return "while RelayPACS was sending this image";
    case "response":
      return "while RelayPACS was waiting for the PACS to confirm this image";
    case "idle":
    case "release":
      return "between images";
  }
}

/** Why an image failed when the association ended this way while it was being sent. */
export function endingReason(ending: Ending, p: PeerDescription): FailureReason {
  const seconds = p.timeoutMs >= 1000 ? Math.round(p.timeoutMs / 1000) : p.timeoutMs / 1000;
  switch (ending.kind) {
    case "rejected":
      return rejection(ending, p);
    case "connect_failed":
      return {
        code: "unreachable",
        reason: `RelayPACS could not connect to the PACS at ${p.host}:${p.port}. Check that the PACS is running and that the address and port in RelayPACS's settings are right; RelayPACS will try again.`,
        retryable: true,
      };
    case "aborted_by_peer":
      return {
        code: "aborted",
        reason: `The PACS broke off the connection ${during(ending.phase)} (DICOM abort). ${AGAIN} If this keeps happening, ${ASK_ADMIN.toLowerCase()} to check the PACS logs.`,
        retryable: true,
      };
    case "connection_lost":
      return {
        code: "connection_lost",
        reason: `The connection to the PACS closed ${during(ending.phase)}. ${AGAIN}`,
        retryable: true,
      };
    case "timeout":
      return {
        code: "timeout",
        reason: `The PACS did not answer within ${seconds} seconds ${during(ending.phase)}. ${AGAIN}`,
        retryable: true,
      };
    case "protocol_error":
      return {
        code: "protocol_error",
        reason: `The PACS sent a message RelayPACS could not understand, so RelayPACS stopped the connection. ${ASK_ADMIN} to check that the PACS speaks standard DICOM storage (C-STORE).`,
        retryable: false,
      };
    case "local_abort":
      return {
        code: "file_error",
        reason:
          "RelayPACS could not read this image back from its own storage while sending it, so it stopped. Upload the file again.",
        retryable: false,
      };
    case "released":
    case "released_by_peer":
      return {
        code: "not_sent",
        reason: `The PACS closed the connection ${ending.kind === "released" ? "before this image was sent" : during(ending.phase)}. ${AGAIN}`,
        retryable: true,
      };
  }
}

/** Why an image waiting its turn was never sent: an earlier failure ended the connection. */
export function notSentReason(ending: Ending, p: PeerDescription): FailureReason {
  const cause = endingReason(ending, p);
  if (ending.kind === "rejected" || ending.kind === "connect_failed") return cause;
  return {
    code: "not_sent",
    reason: `Not sent: the connection to the PACS ended before this image's turn (${cause.code.replaceAll("_", " ")}). ${AGAIN}`,
    retryable: true,
  };
}
