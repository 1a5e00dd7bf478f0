import { describe, expect, it } from "vitest";
import type { ForwardInstance } from "../adapter";
import type { ResolvedDestination } from "../destination";
import { cstoreAdapter, parseHostPort } from "./cstore-adapter";
import { newFindRecord, playFindScp, type FindScript } from "./test-support/fake-find-scp";
import { newRecord, playScp, type ScpScript } from "./test-support/fake-scp";
import { memoryPeer } from "./test-support/memory-peer";
import { bytesSource, fixtureBytes } from "./test-support/sources";

const destination: ResolvedDestination = {
  id: "d1",
  config: {
    name: "Clinic PACS",
    adapter: "c-store",
    url: "pacs.clinic.test:11112",
    auth: { kind: "none" },
    batchBytes: 50 * 1024 * 1024,
    batchInstances: 100,
    sopClassAllowList: [],
    confirmReceipt: false,
    timeoutSeconds: 5,
    callingAeTitle: "RELAYPACS",
    calledAeTitle: "CLINICPACS",
  },
};
const files = [
  "transfer_syntax/explicit_vr_le/CT_small.dcm",
  "transfer_syntax/implicit_vr_le/MR_small_implicit.dcm",
  "transfer_syntax/rle/SC_rgb_rle.dcm",
].map(fixtureBytes);
const batch: ForwardInstance[] = files.map((bytes, i) => ({
  ...bytesSource(i, bytes),
  index: 10 + i,
  sopInstanceUid: "from-the-header",
  studyInstanceUid: "1.2.3",
}));

function adapterWith(script: ScpScript) {
  const peer = memoryPeer(async (side) => playScp(side, script, newRecord()));
  return { peer, adapter: cstoreAdapter(destination, peer.connect) };
}

describe("the C-STORE PacsAdapter", () => {
  it("splits host:port", () => {
    expect(parseHostPort("pacs.clinic.test:11112")).toEqual({
      host: "pacs.clinic.test",
      port: 11112,
    });
  });

  it("calls the destination's host, port and AE titles", async () => {
    const seen: Array<{ hostname: string; port: number }> = [];
    let called = "";
    const peer = memoryPeer(async (side) => {
      const record = newRecord();
      await playScp(side, {}, record);
      called = record.request?.calledAeTitle ?? "";
    });
    const adapter = cstoreAdapter(destination, (address) => {
      seen.push(address);
      return peer.connect(address);
    });
    await adapter.store(batch.slice(0, 1));
    await peer.settled();
    expect(seen).toEqual([{ hostname: "pacs.clinic.test", port: 11112 }]);
    expect(called).toBe("CLINICPACS");
  });

  it("reports every answered instance by its batch index, with the plain reason as message", async () => {
    const { adapter } = adapterWith({ status: (s) => (s.messageId === 2 ? 0xb000 : 0) });
    const result = await adapter.store(batch);
    expect(result.kind).toBe("answered");
    if (result.kind !== "answered") return;
    expect(result.failure).toBeUndefined();
    expect(result.results.map((r) => [r.index, r.outcome.status, r.outcome.code])).toEqual([
      [10, "stored", "0000"],
      [11, "warning", "B000"],
      [12, "stored", "0000"],
    ]);
    expect(result.results[1]?.outcome.message).toMatch(/^Stored, but/);
  });

  it("a permanent refusal is an answered failure; nothing to retry", async () => {
    const { adapter } = adapterWith({ answer: (_, ts) => (ts === "1.2.840.10008.1.2.5" ? 4 : 0) });
    const result = await adapter.store(batch);
    expect(result).toMatchObject({ kind: "answered" });
    if (result.kind !== "answered") return;
    expect(result.failure).toBeUndefined();
    expect(result.results[2]?.outcome).toMatchObject({
      status: "failed",
      code: "context_rejected",
    });
  });

  it("retryable failures are left out of the results and reported as a failure to retry", async () => {
    const { adapter } = adapterWith({
      misbehave: { messageNumber: 2, afterBytes: 1, action: "abort" },
    });
    const result = await adapter.store(batch);
    expect(result.kind).toBe("answered");
    if (result.kind !== "answered") return;
    expect(result.failure).toEqual({ kind: "network" });
    expect(result.results.map((r) => r.index)).toEqual([10, 12]);
  });

  it("a PACS that cannot be reached is a whole-batch failure with a plain message", async () => {
    const adapter = cstoreAdapter(destination, () => {
      throw new Error("connection refused");
    });
    const result = await adapter.store(batch);
    expect(result).toMatchObject({
      kind: "failure",
      failure: { kind: "network" },
      message: expect.stringMatching(/could not connect to the PACS at pacs.clinic.test:11112/),
    });
  });

  describe("confirm() with C-FIND", () => {
    const asked = batch.map((b, i) => ({ ...b, sopInstanceUid: `1.2.${i}` }));
    const confirmWith = async (script: FindScript) => {
      const peer = memoryPeer((side) => playFindScp(side, script, newFindRecord()));
      const result = await cstoreAdapter(destination, peer.connect).confirm?.(asked);
      await peer.settled();
      return result;
    };

    it("lists the instances the PACS holds", async () => {
      expect(await confirmWith({ holds: new Set(["1.2.0", "1.2.2"]) })).toEqual({
        kind: "checked",
        present: new Set(["1.2.0", "1.2.2"]),
      });
    });

    it("a PACS without C-FIND ends every instance failed with words, not a retry", async () => {
      const result = await confirmWith({ holds: new Set(), contextResult: 3 });
      expect(result?.kind).toBe("unconfirmable");
      if (result?.kind !== "unconfirmable") return;
      expect(result.results.map((r) => [r.index, r.outcome.status, r.outcome.code])).toEqual([
        [10, "failed", "confirm_unsupported"],
        [11, "failed", "confirm_unsupported"],
        [12, "failed", "confirm_unsupported"],
      ]);
      expect(result.results[0]?.outcome.message).toMatch(
        /^The PACS said it stored this image\. This PACS does not answer queries \(C-FIND\)/,
      );
    });

    it("a busy PACS is a failure the retry policy retries", async () => {
      expect(await confirmWith({ holds: new Set(), onQuery: { status: 0xa700 } })).toEqual({
        kind: "failure",
        failure: { kind: "network" },
      });
    });
  });
});
