// The association machine, part 2: between messages, releasing, and events that do not apply.
import { describe, expect, it } from "vitest";
import type { Event } from "./association-types";
import { closing, pdata, pdu, rsp, states, step, timer } from "./test-support/machine-fixtures";

describe("between messages and releasing", () => {
  it("ready + release: sends A-RELEASE-RQ and starts the timer", () => {
    expect(step(states.ready, { type: "release" })).toEqual({
      state: states.awaitingRp,
      actions: [{ type: "send", pdu: { type: "release-rq" } }, timer],
    });
  });

  it("awaiting_rp + A-RELEASE-RP: released and closed", () => {
    expect(step(states.awaitingRp, pdu({ type: "release-rp" }))).toEqual({
      state: { kind: "closed", ending: { kind: "released" } },
      actions: closing({ kind: "released" }),
    });
  });

  it("awaiting_rp + A-RELEASE-RQ (collision): answers A-RELEASE-RP and keeps waiting", () => {
    expect(step(states.awaitingRp, pdu({ type: "release-rq" }))).toEqual({
      state: states.awaitingRp,
      actions: [{ type: "send", pdu: { type: "release-rp" } }],
    });
  });

  it("awaiting_rp + late P-DATA: ignored; + timeout: abort", () => {
    expect(step(states.awaitingRp, pdata(rsp(1, 0)))).toEqual({
      state: states.awaitingRp,
      actions: [],
    });
    expect(step(states.awaitingRp, { type: "timeout" }).state).toEqual({
      kind: "closed",
      ending: { kind: "timeout", phase: "release" },
    });
  });

  it("ready + peer A-RELEASE-RQ: answers A-RELEASE-RP and ends as released by the peer", () => {
    expect(step(states.ready, pdu({ type: "release-rq" }))).toEqual({
      state: { kind: "closed", ending: { kind: "released_by_peer", phase: "idle" } },
      actions: [
        { type: "send", pdu: { type: "release-rp" } },
        ...closing({ kind: "released_by_peer", phase: "idle" }),
      ],
    });
  });

  it("ready + P-DATA with nothing outstanding: protocol error", () => {
    expect(step(states.ready, pdata(rsp(1, 0))).state).toMatchObject({
      ending: { kind: "protocol_error" },
    });
  });

  it("ready + timeout is a stale timer: ignored", () => {
    expect(step(states.ready, { type: "timeout" })).toEqual({ state: states.ready, actions: [] });
  });

  it("ready + transport_closed: connection lost between images", () => {
    expect(step(states.ready, { type: "transport_closed" }).state).toEqual({
      kind: "closed",
      ending: { kind: "connection_lost", phase: "idle" },
    });
  });

  it("malformed bytes from the peer: A-ABORT (unrecognized PDU)", () => {
    expect(step(states.ready, { type: "malformed", detail: "bad" }).actions[0]).toEqual({
      type: "send",
      pdu: { type: "abort", source: 2, reason: 1 },
    });
  });
});

describe("events that do not apply are ignored", () => {
  const all: Event[] = [
    { type: "connect" },
    { type: "connected" },
    { type: "connect_failed" },
    pdu({ type: "release-rp" }),
    { type: "malformed", detail: "x" },
    { type: "store", messageId: 1, contextId: 1 },
    { type: "progress" },
    { type: "sent" },
    { type: "release" },
    { type: "abort", detail: "x" },
    { type: "timeout" },
    { type: "transport_closed" },
  ];

  it("a closed association ignores every event", () => {
    for (const event of all)
      expect(step(states.closed, event)).toEqual({ state: states.closed, actions: [] });
  });

  it("store, release, progress and sent outside their states change nothing", () => {
    const misplaced: Event[] = [
      { type: "store", messageId: 1, contextId: 1 },
      { type: "progress" },
      { type: "sent" },
      { type: "release" },
    ];
    for (const state of [states.awaitingAc, states.awaitingRsp, states.awaitingRp]) {
      for (const event of misplaced) expect(step(state, event)).toEqual({ state, actions: [] });
    }
  });

  it("PDUs and malformed bytes before the transport is up change nothing", () => {
    for (const state of [states.idle, states.connecting]) {
      expect(step(state, pdu({ type: "release-rp" }))).toEqual({ state, actions: [] });
      expect(step(state, { type: "malformed", detail: "x" })).toEqual({ state, actions: [] });
    }
  });
});
