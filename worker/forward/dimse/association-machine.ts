// The requestor side of one DICOM association (PS3.8 section 9.2 state machine, reduced to what a
// C-STORE and C-FIND SCU does) as a pure function: events in, next state and actions out. It sends
// no bytes and starts no timers itself; association.ts runs the actions. Request PDVs (command and
// data set) are written by the driver while the state is "sending"; only received PDUs pass here.
import type { Action, Ending, Event, MachineConfig, Phase, State, Step } from "./association-types";
import { receiveResponse } from "./association-responses";
import { ABORT_REASON, DICOM_APPLICATION_CONTEXT, type Pdu } from "./pdu-types";

export type {
  Action,
  Answer,
  Ending,
  Event,
  MachineConfig,
  Negotiated,
  Phase,
  State,
  Step,
} from "./association-types";

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

function onPdu(state: State, pdu: Pdu, timer: Action): Step {
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
      if (pdu.type !== "p-data-tf") return protocolError(`${pdu.type} during a DIMSE exchange`);
      const got = receiveResponse(state, pdu);
      if ("error" in got) return protocolError(got.error, ABORT_REASON.invalidPduParameterValue);
      const { identifier: _old, ...rest } = state;
      const partial = got.identifier ? { ...rest, identifier: got.identifier } : rest;
      const last = got.final ? got.answers.at(-1) : undefined;
      const pending: Action[] = got.answers
        .slice(0, last ? -1 : undefined)
        .map((a) => ({ type: "pending", ...a }));
      if (state.kind === "sending") {
        // A PACS may answer before reading the whole request; the answer counts once it is sent.
        const early = last?.rsp ?? state.early;
        const next = { ...partial, kind: "sending" as const, fragments: got.fragments };
        return { state: early ? { ...next, early } : next, actions: pending };
      }
      if (!last) {
        // Each C-FIND match restarts the wait for the next response.
        const waiting = pending.length > 0 ? [...pending, timer] : [];
        return { state: { ...partial, fragments: got.fragments }, actions: waiting };
      }
      return {
        state: { kind: "ready", negotiated: state.negotiated },
        actions: [...pending, { type: "stop_timer" }, { type: "response", ...last }],
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
      return onPdu(state, event.pdu, timer);
    case "store":
    case "find": {
      if (state.kind !== "ready") return stay;
      const sending: State = {
        kind: "sending",
        negotiated: state.negotiated,
        messageId: event.messageId,
        contextId: event.contextId,
        fragments: [],
      };
      return {
        state: event.type === "find" ? { ...sending, service: "find" } : sending,
        actions: [timer],
      };
    }
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
