// The association machine, part 1: opening an association and one C-STORE exchange.
import { describe, expect, it } from "vitest";
import type { Ending, Event } from "./association-types";
import { encodeCStoreRq } from "./dimse-command";
import {
  ac,
  closing,
  config,
  negotiated,
  pdata,
  pdu,
  rsp,
  states,
  step,
  timer,
} from "./test-support/machine-fixtures";

describe("opening an association", () => {
  it("idle + connect: opens the transport and starts the connect timer", () => {
    expect(step(states.idle, { type: "connect" })).toEqual({
      state: states.connecting,
      actions: [{ type: "open_transport" }, timer],
    });
  });

  it("connecting + connected: sends the A-ASSOCIATE-RQ and restarts the timer (ARTIM)", () => {
    expect(step(states.connecting, { type: "connected" })).toEqual({
      state: states.awaitingAc,
      actions: [{ type: "send", pdu: config.request }, timer],
    });
  });

  it("connecting + connect_failed, transport_closed or timeout: ends without sending anything", () => {
    expect(step(states.connecting, { type: "connect_failed" })).toEqual({
      state: { kind: "closed", ending: { kind: "connect_failed" } },
      actions: closing({ kind: "connect_failed" }),
    });
    expect(step(states.connecting, { type: "transport_closed" }).state).toEqual({
      kind: "closed",
      ending: { kind: "connect_failed" },
    });
    expect(step(states.connecting, { type: "timeout" })).toEqual({
      state: { kind: "closed", ending: { kind: "timeout", phase: "connect" } },
      actions: closing({ kind: "timeout", phase: "connect" }),
    });
  });

  it("awaiting_ac + A-ASSOCIATE-AC: ready, with the peer's contexts and max length", () => {
    expect(step(states.awaitingAc, pdu(ac))).toEqual({
      state: states.ready,
      actions: [{ type: "stop_timer" }, { type: "associated", negotiated }],
    });
  });

  it("awaiting_ac + A-ASSOCIATE-RJ: ends as rejected with result, source and reason", () => {
    const ending: Ending = { kind: "rejected", result: 1, source: 1, reason: 7 };
    expect(
      step(states.awaitingAc, pdu({ type: "associate-rj", result: 1, source: 1, reason: 7 })),
    ).toEqual({
      state: { kind: "closed", ending },
      actions: closing(ending),
    });
  });

  it("awaiting_ac + an AC with a foreign application context: A-ABORT (invalid parameter)", () => {
    const result = step(states.awaitingAc, pdu({ ...ac, applicationContext: "1.2.3" }));
    expect(result.actions[0]).toEqual({
      type: "send",
      pdu: { type: "abort", source: 2, reason: 6 },
    });
    expect(result.state).toMatchObject({ kind: "closed", ending: { kind: "protocol_error" } });
  });

  it("awaiting_ac + any other PDU: A-ABORT (unexpected PDU) and close", () => {
    const result = step(states.awaitingAc, pdu({ type: "release-rp" }));
    expect(result.actions).toEqual([
      { type: "send", pdu: { type: "abort", source: 2, reason: 2 } },
      ...closing({ kind: "protocol_error", detail: "release-rp before the association" }),
    ]);
  });

  it("awaiting_ac + timeout: A-ABORT and close (the PACS never answered)", () => {
    expect(step(states.awaitingAc, { type: "timeout" }).actions).toEqual([
      { type: "send", pdu: { type: "abort", source: 0, reason: 0 } },
      ...closing({ kind: "timeout", phase: "associate" }),
    ]);
  });
});

describe("sending a C-STORE", () => {
  it("ready + store: sending, with the send-idle timer running", () => {
    expect(step(states.ready, { type: "store", messageId: 3, contextId: 1 })).toEqual({
      state: states.sending,
      actions: [timer],
    });
  });

  it("sending + progress restarts the idle timer; sent waits for the response with a timer", () => {
    expect(step(states.sending, { type: "progress" })).toEqual({
      state: states.sending,
      actions: [timer],
    });
    expect(step(states.sending, { type: "sent" })).toEqual({
      state: states.awaitingRsp,
      actions: [timer],
    });
  });

  it("awaiting_rsp + a one-fragment C-STORE-RSP: ready again, response delivered", () => {
    expect(step(states.awaitingRsp, pdata(rsp(3, 0xb000)))).toEqual({
      state: states.ready,
      actions: [
        { type: "stop_timer" },
        { type: "response", rsp: { messageIdBeingRespondedTo: 3, status: 0xb000 } },
      ],
    });
  });

  it("awaiting_rsp + a response split over two PDUs: delivered once complete", () => {
    const bytes = rsp(3, 0);
    const first = step(states.awaitingRsp, pdata(bytes.subarray(0, 20), { last: false }));
    expect(first.actions).toEqual([]);
    expect(first.state).toMatchObject({ kind: "awaiting_rsp", fragments: [bytes.subarray(0, 20)] });
    const second = step(first.state, pdata(bytes.subarray(20)));
    expect(second.actions).toContainEqual({
      type: "response",
      rsp: { messageIdBeingRespondedTo: 3, status: 0 },
    });
  });

  it("sending + an early response: kept, and delivered when the data set is sent", () => {
    const early = step(states.sending, pdata(rsp(3, 0xa700)));
    expect(early).toEqual({
      state: { ...states.sending, early: { messageIdBeingRespondedTo: 3, status: 0xa700 } },
      actions: [],
    });
    expect(step(early.state, { type: "sent" })).toEqual({
      state: states.ready,
      actions: [
        { type: "stop_timer" },
        { type: "response", rsp: { messageIdBeingRespondedTo: 3, status: 0xa700 } },
      ],
    });
  });

  const protocolErrors: Array<[string, Event]> = [
    ["a response to another message", pdata(rsp(4, 0))],
    ["a response on another context", pdata(rsp(3, 0), { contextId: 3 })],
    ["a data set fragment", pdata(rsp(3, 0), { command: false })],
    [
      "a command that is not a C-STORE-RSP",
      pdata(encodeCStoreRq({ messageId: 3, sopClassUid: "1.2", sopInstanceUid: "1.3" })),
    ],
    ["an A-ASSOCIATE-AC", pdu(ac)],
  ];
  for (const [what, event] of protocolErrors) {
    it(`awaiting_rsp + ${what}: A-ABORT from the provider and a protocol error`, () => {
      const result = step(states.awaitingRsp, event);
      expect(result.actions[0]).toMatchObject({ type: "send", pdu: { type: "abort", source: 2 } });
      expect(result.actions.slice(1, 3)).toEqual([
        { type: "stop_timer" },
        { type: "close_transport" },
      ]);
      expect(result.state).toMatchObject({ kind: "closed", ending: { kind: "protocol_error" } });
    });
  }

  it("sending or awaiting_rsp + peer A-RELEASE-RQ: answers A-RELEASE-RP, released by the peer", () => {
    expect(step(states.awaitingRsp, pdu({ type: "release-rq" }))).toEqual({
      state: { kind: "closed", ending: { kind: "released_by_peer", phase: "response" } },
      actions: [
        { type: "send", pdu: { type: "release-rp" } },
        ...closing({ kind: "released_by_peer", phase: "response" }),
      ],
    });
    expect(step(states.sending, pdu({ type: "release-rq" })).state).toMatchObject({
      ending: { phase: "send" },
    });
  });

  it("an early response still reaches the caller when the association ends before the data set is out", () => {
    const early = step(states.sending, pdata(rsp(3, 0xa700))).state;
    const aborted = step(early, pdu({ type: "abort", source: 0, reason: 0 }));
    const types = aborted.actions.map((a) => a.type);
    expect(types).toEqual(["stop_timer", "close_transport", "response", "ended"]);
    expect(aborted.actions[2]).toEqual({
      type: "response",
      rsp: { messageIdBeingRespondedTo: 3, status: 0xa700 },
    });
  });

  it("awaiting_rsp + timeout: A-ABORT and a response timeout", () => {
    expect(step(states.awaitingRsp, { type: "timeout" }).state).toEqual({
      kind: "closed",
      ending: { kind: "timeout", phase: "response" },
    });
  });

  it("sending + timeout (the peer stopped reading): A-ABORT and a send timeout", () => {
    const result = step(states.sending, { type: "timeout" });
    expect(result.actions[0]).toEqual({
      type: "send",
      pdu: { type: "abort", source: 0, reason: 0 },
    });
    expect(result.state).toEqual({ kind: "closed", ending: { kind: "timeout", phase: "send" } });
  });

  it("sending + abort (our file failed): A-ABORT from the user and a local abort", () => {
    const result = step(states.sending, { type: "abort", detail: "short file" });
    expect(result.actions[0]).toEqual({
      type: "send",
      pdu: { type: "abort", source: 0, reason: 0 },
    });
    expect(result.state).toEqual({
      kind: "closed",
      ending: { kind: "local_abort", detail: "short file" },
    });
  });

  it("sending or awaiting_rsp + peer A-ABORT: closed without answering, phase recorded", () => {
    const peerAbort = pdu({ type: "abort", source: 0, reason: 0 });
    expect(step(states.sending, peerAbort)).toEqual({
      state: {
        kind: "closed",
        ending: { kind: "aborted_by_peer", source: 0, reason: 0, phase: "send" },
      },
      actions: closing({ kind: "aborted_by_peer", source: 0, reason: 0, phase: "send" }),
    });
    expect(step(states.awaitingRsp, peerAbort).state).toMatchObject({
      ending: { phase: "response" },
    });
  });

  it("sending + transport_closed: connection lost while sending", () => {
    expect(step(states.sending, { type: "transport_closed" })).toEqual({
      state: { kind: "closed", ending: { kind: "connection_lost", phase: "send" } },
      actions: closing({ kind: "connection_lost", phase: "send" }),
    });
  });

  it("an oversized response command is a protocol error", () => {
    const huge = pdata(new Uint8Array(70 * 1024), { last: false });
    expect(step(states.awaitingRsp, huge).state).toMatchObject({
      ending: { kind: "protocol_error", detail: "an oversized response command" },
    });
  });
});
