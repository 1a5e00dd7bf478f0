// The association machine, part 3: one C-FIND, answered by pending matches and a final response.
import { describe, expect, it } from "vitest";
import type { Event, State } from "./association-types";
import { concatBytes } from "./bytes";
import { encodeCFindRsp } from "./cfind-command";
import {
  closing,
  negotiated,
  pdata,
  pdu,
  rsp,
  states,
  step,
  timer,
} from "./test-support/machine-fixtures";

const sending: State = { ...states.sending, service: "find" };
const waiting: State = { ...states.awaitingRsp, service: "find" };
const pending = (id = 3) =>
  encodeCFindRsp({ messageIdBeingRespondedTo: id, status: 0xff00, hasDataSet: true });
const final = (status = 0) =>
  encodeCFindRsp({ messageIdBeingRespondedTo: 3, status, hasDataSet: false });
const match = new Uint8Array([8, 0, 0x18, 0, 2, 0, 0, 0, 0x31, 0]);

/** One P-DATA-TF with several PDVs: [command?, last?, bytes]. */
function pdvs(...parts: Array<[boolean, boolean, Uint8Array]>): Event {
  return pdu({
    type: "p-data-tf",
    pdvs: parts.map(([command, last, data]) => ({ contextId: 1, command, last, data })),
  });
}

const asAnswer = (status: number) => ({
  messageIdBeingRespondedTo: 3,
  status,
  sopClassUid: "1.2.840.10008.5.1.4.1.2.2.1",
});

describe("one C-FIND", () => {
  it("ready + find: sending a C-FIND exchange, with the idle timer", () => {
    expect(step(states.ready, { type: "find", messageId: 3, contextId: 1 })).toEqual({
      state: sending,
      actions: [timer],
    });
    expect(step(sending, { type: "sent" }).state).toEqual(waiting);
  });

  it("a pending response and its identifier: a match delivered, still waiting, timer restarted", () => {
    expect(step(waiting, pdvs([true, true, pending()], [false, true, match]))).toEqual({
      state: waiting,
      actions: [{ type: "pending", rsp: asAnswer(0xff00), identifier: match }, timer],
    });
  });

  it("an identifier split over two PDUs: delivered once its last fragment arrives", () => {
    const first = step(
      waiting,
      pdvs([true, true, pending()], [false, false, match.subarray(0, 4)]),
    );
    expect(first.actions).toEqual([]);
    expect(first.state).toMatchObject({ identifier: { fragments: [match.subarray(0, 4)] } });
    const second = step(first.state, pdata(match.subarray(4), { command: false }));
    expect(second).toEqual({
      state: waiting,
      actions: [{ type: "pending", rsp: asAnswer(0xff00), identifier: match }, timer],
    });
  });

  it("several matches and the final success in one PDU: matches, then ready with the response", () => {
    const result = step(
      waiting,
      pdvs(
        [true, true, pending()],
        [false, true, match],
        [true, true, pending()],
        [false, true, match],
        [true, true, final()],
      ),
    );
    expect(result).toEqual({
      state: states.ready,
      actions: [
        { type: "pending", rsp: asAnswer(0xff00), identifier: match },
        { type: "pending", rsp: asAnswer(0xff00), identifier: match },
        { type: "stop_timer" },
        { type: "response", rsp: asAnswer(0) },
      ],
    });
  });

  it("a final response with no data set (no match, or a failure status): ready, no pending", () => {
    expect(step(waiting, pdata(final(0xc000)))).toEqual({
      state: states.ready,
      actions: [{ type: "stop_timer" }, { type: "response", rsp: asAnswer(0xc000) }],
    });
  });

  it("a pending response that announces no identifier is still a pending match", () => {
    const bare = encodeCFindRsp({
      messageIdBeingRespondedTo: 3,
      status: 0xff01,
      hasDataSet: false,
    });
    expect(step(waiting, pdata(bare)).actions).toEqual([
      { type: "pending", rsp: asAnswer(0xff01) },
      timer,
    ]);
  });

  it("a response while the identifier is still being sent: matches at once, a final one kept", () => {
    const early = step(
      sending,
      pdvs([true, true, pending()], [false, true, match], [true, true, final(0xa700)]),
    );
    expect(early.actions).toEqual([{ type: "pending", rsp: asAnswer(0xff00), identifier: match }]);
    expect(early.state).toMatchObject({ kind: "sending", early: asAnswer(0xa700) });
    expect(step(early.state, { type: "sent" })).toEqual({
      state: { kind: "ready", negotiated },
      actions: [{ type: "stop_timer" }, { type: "response", rsp: asAnswer(0xa700) }],
    });
  });

  it("waiting for the next match + timeout: A-ABORT and a response timeout", () => {
    const after = step(waiting, pdvs([true, true, pending()], [false, true, match])).state;
    expect(step(after, { type: "timeout" }).state).toEqual({
      kind: "closed",
      ending: { kind: "timeout", phase: "response" },
    });
  });

  const protocolErrors: Array<[string, Event, string]> = [
    [
      "an identifier with no response before it",
      pdata(match, { command: false }),
      "a data set before its response",
    ],
    [
      "a response where the announced identifier should be",
      pdvs([true, true, pending()], [true, true, final()]),
      "a response before the identifier it announced",
    ],
    [
      "data after the final response",
      pdvs([true, true, final()], [true, true, final()]),
      "data after the last response fragment",
    ],
    ["a match for another message", pdata(pending(4)), "a response to another message"],
    ["a C-STORE-RSP", pdata(rsp(3, 0)), "expected a C-FIND-RSP, got command field 0x8001"],
    [
      "an oversized identifier",
      pdvs([true, true, pending()], [false, false, new Uint8Array(300 * 1024)]),
      "an oversized identifier",
    ],
  ];
  for (const [what, event, detail] of protocolErrors) {
    it(`waiting + ${what}: A-ABORT from the provider and a protocol error`, () => {
      const result = step(waiting, event);
      expect(result.actions[0]).toMatchObject({ type: "send", pdu: { type: "abort", source: 2 } });
      expect(result.state).toEqual({ kind: "closed", ending: { kind: "protocol_error", detail } });
    });
  }

  it("a C-STORE exchange still refuses a data set after its response command", () => {
    const result = step(
      states.awaitingRsp,
      pdvs([true, true, rsp(3, 0xff00)], [false, true, match]),
    );
    expect(result.state).toMatchObject({ kind: "closed", ending: { kind: "protocol_error" } });
  });

  it("a peer A-ABORT right after the query (Orthanc refusing an unknown AE) ends in the response phase", () => {
    const ending = { kind: "aborted_by_peer", source: 0, reason: 0, phase: "response" } as const;
    expect(step(waiting, pdu({ type: "abort", source: 0, reason: 0 }))).toEqual({
      state: { kind: "closed", ending },
      actions: closing(ending),
    });
  });

  it("a split command before a match still decodes", () => {
    const bytes = concatBytes([pending()]);
    const first = step(waiting, pdata(bytes.subarray(0, 10), { last: false }));
    const second = step(first.state, pdvs([true, true, bytes.subarray(10)], [false, true, match]));
    expect(second.actions[0]).toEqual({
      type: "pending",
      rsp: asAnswer(0xff00),
      identifier: match,
    });
  });
});
