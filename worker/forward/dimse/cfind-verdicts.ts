// What a failed receipt query (C-FIND) means for the forward: worth asking again later (the PACS
// is busy, slow, or the connection dropped), or never going to work until an administrator
// changes something (the PACS does not offer C-FIND, refuses RelayPACS's queries, or answers in a
// way RelayPACS cannot read). The words are for the clinic's administrator; AE titles, host and
// port are configuration, never patient data.
import type { Ending } from "./association-machine";
import type { PeerDescription } from "./ending-reasons";
import { formatReasonCode } from "../reasons";

export type FindVerdict =
  /** Asking again later may work; `timeout` tells the retry policy which kind of failure. */
  | { kind: "retry"; timeout: boolean; reason: string }
  /** This PACS will not answer RelayPACS's queries: asking again cannot help. */
  | { kind: "unanswerable"; code: string; reason: string };

const TURN_OFF = "ask your administrator to turn receipt confirmation off for this destination.";

export function noQueryService(): FindVerdict {
  return {
    kind: "unanswerable",
    code: "confirm_unsupported",
    reason: `This PACS does not answer queries (C-FIND), so RelayPACS cannot confirm receipt. Ask your PACS administrator to enable queries for RelayPACS, or ${TURN_OFF}`,
  };
}

function refused(p: PeerDescription): FindVerdict {
  return {
    kind: "unanswerable",
    code: "confirm_refused",
    reason: `The PACS refused RelayPACS's query (C-FIND) for the images it holds, so RelayPACS cannot confirm receipt. Ask your PACS administrator to allow queries from RelayPACS (AE title "${p.callingAeTitle}"), or ${TURN_OFF}`,
  };
}

function unreadable(): FindVerdict {
  return {
    kind: "unanswerable",
    code: "confirm_failed",
    reason: `The PACS answered RelayPACS's query (C-FIND) in a way RelayPACS could not understand, so RelayPACS cannot confirm receipt. Ask your PACS administrator to check the PACS logs, or ${TURN_OFF}`,
  };
}

function retry(reason: string, timeout = false): FindVerdict {
  return { kind: "retry", timeout, reason };
}

/** The association ended before the query's final answer, or could not be opened for it. */
export function queryEndingVerdict(
  ending: Ending,
  p: PeerDescription,
  during: "associate" | "query",
): FindVerdict {
  switch (ending.kind) {
    case "rejected":
      // The same PACS accepted RelayPACS for storage: a permanent refusal is about the query.
      return ending.result === 2
        ? retry("The PACS is busy and did not accept RelayPACS's query.")
        : noQueryService();
    case "aborted_by_peer":
    case "released_by_peer":
      // Orthanc accepts the association, then aborts a C-FIND from an AE it does not allow to
      // query. Breaking off right after a query is a refusal, not a passing hiccup.
      return during === "query"
        ? refused(p)
        : retry("The PACS broke off the connection before RelayPACS could ask it.");
    case "timeout":
      return retry("The PACS did not answer RelayPACS's query in time.", true);
    case "connect_failed":
    case "connection_lost":
    case "released":
      return retry("The connection to the PACS was lost while RelayPACS was asking it.");
    case "protocol_error":
      return unreadable();
    case "local_abort":
      return during === "query" ? unreadable() : retry("RelayPACS stopped the query.");
  }
}

/** Null for success; otherwise what a final C-FIND-RSP status (PS3.4 C.4.1.1.4) means here. */
export function findStatusVerdict(status: number): FindVerdict | null {
  if (status === 0x0000) return null;
  if ((status & 0xff00) === 0xa700 || status === 0xfe00) {
    return retry("The PACS was too busy to answer RelayPACS's query.");
  }
  if (status === 0x0122 || status === 0x0211) return noQueryService();
  return {
    kind: "unanswerable",
    code: "confirm_failed",
    reason: `The PACS answered RelayPACS's query (C-FIND) with an error (status ${formatReasonCode(status)}), so RelayPACS cannot confirm receipt. Ask your PACS administrator to check the PACS logs, or ${TURN_OFF}`,
  };
}
