// Values of the association state machine (association-machine.ts): its states, the events it
// takes, the actions it returns, and how an association can end. Types only.
import type { DimseRsp } from "./dimse-command";
import type { AssociateRq, ContextAnswer, Pdu } from "./pdu-types";

export type Phase = "connect" | "associate" | "idle" | "send" | "response" | "release";

export interface Negotiated {
  contexts: ContextAnswer[];
  /** The peer's maximum P-DATA-TF length; 0 means it set no limit. */
  peerMaxLength: number;
}

export type Ending =
  | { kind: "released" }
  | { kind: "released_by_peer"; phase: Phase }
  | { kind: "connect_failed" }
  | { kind: "rejected"; result: number; source: number; reason: number }
  | { kind: "aborted_by_peer"; source: number; reason: number; phase: Phase }
  | { kind: "connection_lost"; phase: Phase }
  | { kind: "timeout"; phase: Phase }
  | { kind: "protocol_error"; detail: string }
  | { kind: "local_abort"; detail: string };

export interface Exchange {
  negotiated: Negotiated;
  messageId: number;
  contextId: number;
  /**
   * "find": one C-FIND, answered by pending responses (each with an identifier) and then a final
   * one. Absent: a C-STORE or C-ECHO, answered by exactly one response without a data set.
   */
  service?: "find";
  /** Command fragments of the response received so far. */
  fragments: Uint8Array[];
  /** A C-FIND-RSP whose identifier data set is still arriving, and its fragments so far. */
  identifier?: { rsp: DimseRsp; fragments: Uint8Array[] };
}

/** A response command and, for a C-FIND match, its identifier data set. */
export interface Answer {
  rsp: DimseRsp;
  identifier?: Uint8Array;
}

export type State =
  | { kind: "idle" }
  | { kind: "connecting" }
  | { kind: "awaiting_ac" }
  | { kind: "ready"; negotiated: Negotiated }
  | ({ kind: "sending"; early?: DimseRsp } & Exchange)
  | ({ kind: "awaiting_rsp" } & Exchange)
  | { kind: "awaiting_rp" }
  | { kind: "closed"; ending: Ending };

export type Event =
  | { type: "connect" }
  | { type: "connected" }
  | { type: "connect_failed" }
  | { type: "pdu"; pdu: Pdu }
  | { type: "malformed"; detail: string }
  | { type: "store"; messageId: number; contextId: number }
  | { type: "find"; messageId: number; contextId: number }
  | { type: "progress" }
  | { type: "sent" }
  | { type: "release" }
  | { type: "abort"; detail: string }
  | { type: "timeout" }
  | { type: "transport_closed" };

export type Action =
  | { type: "open_transport" }
  | { type: "send"; pdu: Pdu }
  | { type: "start_timer"; ms: number }
  | { type: "stop_timer" }
  | { type: "close_transport" }
  | { type: "associated"; negotiated: Negotiated }
  /** A C-FIND match; more responses follow. */
  | ({ type: "pending" } & Answer)
  /** The final response of the exchange; the association is ready for the next request. */
  | ({ type: "response" } & Answer)
  | { type: "ended"; ending: Ending };

export interface MachineConfig {
  request: AssociateRq;
  /** Limit for each wait: connect, association answer, idle while sending, response, release. */
  timeoutMs: number;
}

export interface Step {
  state: State;
  actions: Action[];
}
