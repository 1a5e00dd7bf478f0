// The requestor side of one DICOM association (PS3.8 section 9.2 state machine, reduced to what a
// C-STORE SCU does) as a pure function: events in, next state and actions out. It sends no bytes
// and starts no timers itself; association.ts runs the actions. Data set PDVs are written by the
// driver while the state is "sending"; only protocol PDUs pass through here.
import type {
  Action,
  Ending,
  Event,
  Exchange,
  MachineConfig,
  Phase,
  State,
  Step,
} from "./association-types";
import { concatBytes } from "./bytes";
import { decodeCStoreRsp, type CStoreRsp } from "./dimse-command";
import { ABORT_REASON, DICOM_APPLICATION_CONTEXT, type Pdu } from "./pdu-types";

export type {
  Action,
  Ending,
  Event,
  MachineConfig,
  Negotiated,
  Phase,
  State,
  Step,
} from "./association-types";

/** A response command set larger than this is not a C-STORE-RSP. */
const MAX_COMMAND_BYTES = 64 * 1024;
const USER = 0;
const PROVIDER = 2;

const PHASE: Record<State["kind"], Phase> = {
  idle: "connect",
  connecting: "connect",
  awaiting_ac: "associate",
  ready: "idle",
  sending: "send",
  awaiting_rsp: "response",
  awaiting_rp: "release",
  closed: "idle",
};

function end(ending: Ending, ...before: Action[]): Step {
  return {
    state: { kind: "closed", ending },
    actions: [
      ...before,
      { type: "stop_timer" },
      { type: "close_transport" },
      { type: "ended", ending },
    ],
  };
}

function abort(source: number, reason: number, ending: Ending): Step {
  return end(ending, { type: "send", pdu: { type: "abort", source, reason } });
}

function protocolError(detail: string, reason: number = ABORT_REASON.unexpectedPdu): Step {
  return abort(PROVIDER, reason, { kind: "protocol_error", detail });
}

function releasedByPeer(phase: Phase): Step {
  return end({ kind: "released_by_peer", phase }, { type: "send", pdu: { type: "release-rp" } });
}

/** Adds a P-DATA-TF to the response being assembled; a decoded response once it is complete. */
function receiveResponse(
  x: Exchange,
  pdu: Extract<Pdu, { type: "p-data-tf" }>,
): { fragments: Uint8Array[]; rsp?: CStoreRsp } | { error: string } {
  const fragments = [...x.fragments];
  let complete = false;
  for (const pdv of pdu.pdvs) {
    if (complete) return { error: "data after the last response fragment" };
    if (!pdv.command) return { error: "a data set in a C-STORE response" };
    if (pdv.contextId !== x.contextId)
      return { error: "a response on another presentation context" };
    fragments.push(pdv.data);
    complete = pdv.last;
  }
  if (fragments.reduce((n, f) => n + f.length, 0) > MAX_COMMAND_BYTES) {
    return { error: "an oversized response command" };
  }
  if (!complete) return { fragments };
  let rsp: CStoreRsp;
  try {
    rsp = decodeCStoreRsp(concatBytes(fragments));
  } catch (error) {
    return { error: error instanceof Error ? error.message : "an undecodable response" };
  }
  if (rsp.messageIdBeingRespondedTo !== x.messageId)
    return { error: "a response to another message" };
  return { fragments: [], rsp };
}

function onPdu(state: State, pdu: Pdu): Step {
  if (pdu.type === "abort") {
    return end({
      kind: "aborted_by_peer",
      source: pdu.source,
      reason: pdu.reason,
      phase: PHASE[state.kind],
    });
  }
  switch (state.kind) {
    case "awaiting_ac":
      if (pdu.type === "associate-rj") {
        return end({
          kind: "rejected",
          result: pdu.result,
          source: pdu.source,
          reason: pdu.reason,
        });
      }
      if (pdu.type !== "associate-ac") return protocolError(`${pdu.type} before the association`);
      if (pdu.applicationContext !== DICOM_APPLICATION_CONTEXT) {
        return protocolError("unknown application context", ABORT_REASON.invalidPduParameterValue);
      }
      {
        const negotiated = { contexts: pdu.contexts, peerMaxLength: pdu.user.maxLength };
        return {
          state: { kind: "ready", negotiated },
          actions: [{ type: "stop_timer" }, { type: "associated", negotiated }],
        };
      }
    case "ready":
      if (pdu.type === "release-rq") return releasedByPeer("idle");
      return protocolError(`${pdu.type} with no request outstanding`);
    case "sending":
    case "awaiting_rsp": {
      // PS3.8 lets the acceptor ask to release at any time (Sta6 to Sta8); the file in flight is
      // then unconfirmed.
      if (pdu.type === "release-rq") return releasedByPeer(PHASE[state.kind]);
      if (pdu.type !== "p-data-tf") return protocolError(`${pdu.type} during a C-STORE`);
      const got = receiveResponse(state, pdu);
      if ("error" in got) return protocolError(got.error, ABORT_REASON.invalidPduParameterValue);
      if (state.kind === "sending") {
        // A PACS may answer before reading the whole data set; the answer counts once it is sent.
        return {
          state: { ...state, fragments: got.fragments, early: got.rsp ?? state.early },
          actions: [],
        };
      }
      if (!got.rsp) return { state: { ...state, fragments: got.fragments }, actions: [] };
      return {
        state: { kind: "ready", negotiated: state.negotiated },
        actions: [{ type: "stop_timer" }, { type: "response", rsp: got.rsp }],
      };
    }
    case "awaiting_rp":
      if (pdu.type === "release-rp") return end({ kind: "released" });
      if (pdu.type === "release-rq") {
        // Release collision (PS3.8 9.2.3, requestor side): answer, then keep waiting for ours.
        return { state, actions: [{ type: "send", pdu: { type: "release-rp" } }] };
      }
      if (pdu.type === "p-data-tf") return { state, actions: [] }; // late data: nothing to do
      return protocolError(`${pdu.type} while releasing`);
    default:
      return { state, actions: [] };
  }
}

export function transition(state: State, event: Event, config: MachineConfig): Step {
  const next = step(state, event, config);
  // A response that came early still counts if the association ends before the data set is out.
  if (state.kind === "sending" && state.early && next.state.kind === "closed") {
    const at = next.actions.findIndex((a) => a.type === "ended");
    const response: Action = { type: "response", rsp: state.early };
    return { state: next.state, actions: next.actions.toSpliced(at, 0, response) };
  }
  return next;
}

function step(state: State, event: Event, config: MachineConfig): Step {
  const stay: Step = { state, actions: [] };
  if (state.kind === "closed") return stay;
  const timer: Action = { type: "start_timer", ms: config.timeoutMs };
  switch (event.type) {
    case "connect":
      if (state.kind !== "idle") return stay;
      return { state: { kind: "connecting" }, actions: [{ type: "open_transport" }, timer] };
    case "connected":
      if (state.kind !== "connecting") return stay;
      return {
        state: { kind: "awaiting_ac" },
        actions: [{ type: "send", pdu: config.request }, timer],
      };
    case "connect_failed":
      return state.kind === "connecting" ? end({ kind: "connect_failed" }) : stay;
    case "transport_closed":
      if (state.kind === "connecting") return end({ kind: "connect_failed" });
      return end({ kind: "connection_lost", phase: PHASE[state.kind] });
    case "timeout":
      if (state.kind === "ready" || state.kind === "idle") return stay;
      if (state.kind === "connecting") return end({ kind: "timeout", phase: "connect" });
      return abort(USER, 0, { kind: "timeout", phase: PHASE[state.kind] });
    case "malformed":
      if (state.kind === "idle" || state.kind === "connecting") return stay;
      return protocolError(event.detail, ABORT_REASON.unrecognizedPdu);
    case "abort":
      if (state.kind === "idle" || state.kind === "connecting") {
        return end({ kind: "local_abort", detail: event.detail });
      }
      return abort(USER, 0, { kind: "local_abort", detail: event.detail });
    case "pdu":
      if (state.kind === "idle" || state.kind === "connecting") return stay;
      return onPdu(state, event.pdu);
    case "store":
      if (state.kind !== "ready") return stay;
      return {
        state: {
          kind: "sending",
          negotiated: state.negotiated,
          messageId: event.messageId,
          contextId: event.contextId,
          fragments: [],
        },
        actions: [timer],
      };
    case "progress":
      return state.kind === "sending" ? { state, actions: [timer] } : stay;
    case "sent":
      if (state.kind !== "sending") return stay;
      if (state.early) {
        return {
          state: { kind: "ready", negotiated: state.negotiated },
          actions: [{ type: "stop_timer" }, { type: "response", rsp: state.early }],
        };
      }
      return { state: { ...state, kind: "awaiting_rsp" }, actions: [timer] };
    case "release":
      if (state.kind !== "ready") return stay;
      return {
        state: { kind: "awaiting_rp" },
        actions: [{ type: "send", pdu: { type: "release-rq" } }, timer],
      };
  }
}
