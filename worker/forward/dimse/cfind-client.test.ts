// The C-FIND client against a scripted query SCP over the in-memory peer (no network).
import { describe, expect, it } from "vitest";
import { findInstances } from "./cfind-client";
import { newFindRecord, playFindScp, type FindScript } from "./test-support/fake-find-scp";
import { memoryPeer } from "./test-support/memory-peer";

const config = {
  host: "pacs.test",
  port: 104,
  callingAeTitle: "RELAYPACS",
  calledAeTitle: "PACS",
  timeoutMs: 2000,
};
const instances = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ studyInstanceUid: "1.2", sopInstanceUid: `1.2.${i}` }));

async function run(script: FindScript, asked = instances(3)) {
  const record = newFindRecord();
  const peer = memoryPeer((side) => playFindScp(side, script, record));
  const outcome = await findInstances(config, asked, peer.connect);
  await peer.settled();
  return { outcome, record, connections: peer.connections };
}

describe("asking a PACS which instances it holds (C-FIND)", () => {
  it("reports the UIDs the PACS matched, and not the one it lacks, then releases", async () => {
    const { outcome, record } = await run({ holds: new Set(["1.2.0", "1.2.2", "9.9"]) });
    expect(outcome).toEqual({ kind: "found", present: new Set(["1.2.0", "1.2.2"]) });
    expect(record.queries).toEqual([["1.2.0", "1.2.1", "1.2.2"]]);
    expect(record.released).toBe(true);
  });

  it("sends 250 UIDs as three queries of at most 100 on one association", async () => {
    const { outcome, record, connections } = await run(
      { holds: new Set(["1.2.0", "1.2.249"]) },
      instances(250),
    );
    expect(record.queries.map((q) => q.length)).toEqual([100, 100, 50]);
    expect(connections).toBe(1);
    expect(outcome).toEqual({ kind: "found", present: new Set(["1.2.0", "1.2.249"]) });
  });

  it("a PACS that refuses the C-FIND context (storescp) cannot be asked: plain words, no retry", async () => {
    const { outcome } = await run({ holds: new Set(), contextResult: 3 });
    expect(outcome).toMatchObject({ kind: "unanswerable", code: "confirm_unsupported" });
    if (outcome.kind !== "unanswerable") throw new Error("unreachable");
    expect(outcome.reason).toMatch(
      /does not answer queries \(C-FIND\), so RelayPACS cannot confirm receipt/,
    );
    expect(outcome.reason).toMatch(/turn receipt confirmation off for this destination/);
  });

  it("a PACS that aborts right after the query (Orthanc, AE not allowed to query) refuses it", async () => {
    const { outcome } = await run({ holds: new Set(), onQuery: "abort" });
    expect(outcome).toMatchObject({ kind: "unanswerable", code: "confirm_refused" });
    if (outcome.kind !== "unanswerable") throw new Error("unreachable");
    expect(outcome.reason).toContain('allow queries from RelayPACS (AE title "RELAYPACS")');
  });

  it("a busy PACS (A700) is worth asking again later", async () => {
    const { outcome } = await run({ holds: new Set(), onQuery: { status: 0xa700 } });
    expect(outcome).toMatchObject({ kind: "retry", timeout: false });
  });

  it("a failure status the PACS will keep giving (C000) ends with its code in the words", async () => {
    const { outcome } = await run({ holds: new Set(), onQuery: { status: 0xc000 } });
    expect(outcome).toMatchObject({ kind: "unanswerable", code: "confirm_failed" });
    if (outcome.kind !== "unanswerable") throw new Error("unreachable");
    expect(outcome.reason).toContain("status C000");
  });

  it("nothing listening: worth asking again later", async () => {
    const outcome = await findInstances(config, instances(1), () => {
      throw new Error("refused");
    });
    expect(outcome.kind).toBe("retry");
  });
});
