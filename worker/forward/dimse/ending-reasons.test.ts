import { describe, expect, it } from "vitest";
import type { Ending } from "./association-machine";
import { endingReason, notSentReason, type PeerDescription } from "./ending-reasons";

const peer: PeerDescription = {
  host: "pacs.clinic.test",
  port: 104,
  callingAeTitle: "RELAYPACS",
  calledAeTitle: "CLINICPACS",
  timeoutMs: 30_000,
};
const rejected = (result: number, source: number, reason: number): Ending => ({
  kind: "rejected",
  result,
  source,
  reason,
});

describe("reasons for files the connection failed", () => {
  const cases: Array<[string, Ending, string, RegExp, boolean]> = [
    [
      "called AE title unknown",
      rejected(1, 1, 7),
      "association_rejected",
      /AE title "CLINICPACS"/,
      false,
    ],
    [
      "calling AE title unknown",
      rejected(1, 1, 3),
      "association_rejected",
      /RelayPACS's AE title "RELAYPACS"/,
      false,
    ],
    ["congestion", rejected(2, 3, 1), "association_rejected", /too busy/, true],
    [
      "local limit",
      rejected(2, 3, 2),
      "association_rejected",
      /limit of simultaneous connections/,
      true,
    ],
    [
      "protocol version",
      rejected(1, 2, 2),
      "association_rejected",
      /version of the DICOM network protocol/,
      false,
    ],
    [
      "no reason, permanent",
      rejected(1, 1, 1),
      "association_rejected",
      /refused the connection permanently/,
      false,
    ],
    ["unreachable", { kind: "connect_failed" }, "unreachable", /pacs.clinic.test:104/, true],
    [
      "peer abort",
      { kind: "aborted_by_peer", source: 0, reason: 0, phase: "send" },
      "aborted",
      /broke off the connection while RelayPACS was sending/,
      true,
    ],
    [
      "lost while waiting",
      { kind: "connection_lost", phase: "response" },
      "connection_lost",
      /waiting for the PACS to confirm/,
      true,
    ],
    [
      "timeout",
      { kind: "timeout", phase: "associate" },
      "timeout",
      /within 30 seconds while RelayPACS was opening/,
      true,
    ],
    [
      "protocol error",
      { kind: "protocol_error", detail: "x" },
      "protocol_error",
      /could not understand/,
      false,
    ],
    [
      "our file",
      { kind: "local_abort", detail: "x" },
      "file_error",
      /Upload the file again/,
      false,
    ],
    [
      "peer release",
      { kind: "released_by_peer", phase: "send" },
      "not_sent",
      /closed the connection while RelayPACS was sending/,
      true,
    ],
  ];
  for (const [what, ending, code, words, retryable] of cases) {
    it(`${what}: ${code}, ${retryable ? "retryable" : "not retryable"}, in plain words`, () => {
      expect(endingReason(ending, peer)).toEqual({
        code,
        reason: expect.stringMatching(words),
        retryable,
      });
    });
  }

  it("files waiting their turn are 'not sent', except when nothing could be sent at all", () => {
    const lost: Ending = { kind: "connection_lost", phase: "send" };
    expect(notSentReason(lost, peer)).toEqual({
      code: "not_sent",
      reason: expect.stringMatching(/^Not sent: .*\(connection lost\)/),
      retryable: true,
    });
    expect(notSentReason(rejected(1, 1, 7), peer).code).toBe("association_rejected");
    expect(notSentReason({ kind: "connect_failed" }, peer).code).toBe("unreachable");
  });
});
