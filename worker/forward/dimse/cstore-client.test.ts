// storeInstances against a scripted in-memory SCP: every way a send can end, per instance.
// The same client against a real storescp is cstore-storescp.test.ts.
import { describe, expect, it } from "vitest";
import {
  IMPLEMENTATION_CLASS_UID,
  MAX_RECONNECTS,
  shouldReconnect,
  storeInstances,
  type CStoreConfig,
} from "./cstore-client";
import { readInstanceInfo } from "./part10";
import { newRecord, playScp, type ScpScript } from "./test-support/fake-scp";
import { memoryPeer } from "./test-support/memory-peer";
import { bytesSource, fixtureBytes, syntheticSource } from "./test-support/sources";

const config: CStoreConfig = {
  host: "pacs.test",
  port: 104,
  callingAeTitle: "RELAYPACS",
  calledAeTitle: "PACS",
  timeoutMs: 2000,
};
const CT = fixtureBytes("transfer_syntax/explicit_vr_le/CT_small.dcm");
const MR_ILE = fixtureBytes("transfer_syntax/implicit_vr_le/MR_small_implicit.dcm");
const RLE = fixtureBytes("transfer_syntax/rle/SC_rgb_rle.dcm");
const info = (bytes: Uint8Array) => {
  const result = readInstanceInfo(bytes, bytes.length);
  if (result.kind !== "ok") throw new Error("fixture not readable");
  return result.info;
};

function run(
  script: ScpScript | ((index: number) => ScpScript),
  sources = [bytesSource(0, CT), bytesSource(1, MR_ILE), bytesSource(2, RLE)],
  cfg = config,
) {
  const records: ReturnType<typeof newRecord>[] = [];
  const peer = memoryPeer(async (side, index) => {
    const record = newRecord();
    records.push(record);
    await playScp(side, typeof script === "function" ? script(index) : script, record);
  });
  return { records, peer, outcomes: storeInstances(cfg, sources, peer.connect) };
}

describe("storeInstances against a scripted SCP", () => {
  it("stores every instance: one context per pair, data sets without file meta, then releases", async () => {
    const { records, peer, outcomes } = run({});
    const result = await outcomes;
    await peer.settled();
    expect(result.map((o) => [o.fileIndex, o.status, o.code])).toEqual([
      [0, "stored", "0000"],
      [1, "stored", "0000"],
      [2, "stored", "0000"],
    ]);
    const [record] = records;
    expect(records).toHaveLength(1);
    expect(record?.released).toBe(true);
    expect(record?.request?.contexts.map((c) => [c.id, c.transferSyntaxes])).toEqual([
      [1, ["1.2.840.10008.1.2.1"]],
      [3, ["1.2.840.10008.1.2"]],
      [5, ["1.2.840.10008.1.2.5"]],
    ]);
    expect(record?.request?.user).toMatchObject({
      maxLength: 16384,
      implementationClassUid: IMPLEMENTATION_CLASS_UID,
    });
    for (const [i, bytes] of [CT, MR_ILE, RLE].entries()) {
      const store = record?.stores[i];
      expect(store?.dataSet).toEqual(bytes.subarray(info(bytes).dataSetOffset));
      expect(store?.sopInstanceUid).toBe(info(bytes).sopInstanceUid);
      expect(store?.messageId).toBe(i + 1);
      expect(result[i]?.sopInstanceUid).toBe(info(bytes).sopInstanceUid);
    }
  });

  it("keeps every P-DATA-TF within the peer's maximum length", async () => {
    const big = syntheticSource({
      fileIndex: 0,
      sopInstanceUid: "2.25.77",
      pixelBytes: 300_000,
      chunkSize: 10_000,
    });
    const { records, outcomes } = run({ maxLength: 4096 }, [big]);
    expect((await outcomes)[0]?.status).toBe("stored");
    const store = records[0]?.stores[0];
    expect(store?.pduLengths.every((n) => n <= 4096)).toBe(true);
    expect(store?.fragments.length).toBeGreaterThan(70);
    expect(store?.dataSet.length).toBe(big.size - big.dataSetOffset);
  });

  it("warnings and failures from the PACS become per-instance outcomes with plain reasons", async () => {
    const statuses = [0xb007, 0xa700, 0xc123];
    const { outcomes } = run({ status: (s) => statuses[s.messageId - 1] ?? 0 });
    const result = await outcomes;
    expect(result.map((o) => [o.status, o.code, o.retryable])).toEqual([
      ["warning", "B007", false],
      ["failed", "A700", true],
      ["failed", "C123", false],
    ]);
    expect(result[1]?.reason).toMatch(/out of storage space/);
  });

  it("a rejected presentation context fails that instance only, and says why", async () => {
    const { records, outcomes } = run({
      answer: (_, ts) => (ts === "1.2.840.10008.1.2.5" ? 4 : 0),
    });
    const result = await outcomes;
    expect(result.map((o) => o.status)).toEqual(["stored", "stored", "failed"]);
    expect(result[2]).toMatchObject({
      code: "context_rejected",
      reason: expect.stringMatching(/encoding: RLE Lossless/),
    });
    expect(records[0]?.stores).toHaveLength(2);
  });

  it("an association rejection (called AE title unknown) fails every instance with that reason", async () => {
    const { outcomes } = run({ reject: { result: 1, source: 1, reason: 7 } });
    const result = await outcomes;
    expect(new Set(result.map((o) => o.code))).toEqual(new Set(["association_rejected"]));
    expect(result[0]?.reason).toMatch(/does not answer to the AE title "PACS"/);
    expect(result.every((o) => !o.retryable)).toBe(true);
  });

  it("a transient rejection (congestion) is retryable", async () => {
    const { outcomes } = run({ reject: { result: 2, source: 3, reason: 1 } });
    expect((await outcomes).every((o) => o.retryable && /too busy/.test(o.reason))).toBe(true);
  });

  for (const action of ["abort", "close"] as const) {
    it(`the peer ${action === "abort" ? "aborting" : "hanging up"} mid-transfer fails that file; the rest go on a new association`, async () => {
      const big = syntheticSource({ fileIndex: 1, sopInstanceUid: "2.25.78", pixelBytes: 200_000 });
      const sources = [bytesSource(0, CT), big, bytesSource(2, MR_ILE)];
      const { records, outcomes } = run(
        (i) => (i === 0 ? { misbehave: { messageNumber: 2, afterBytes: 50_000, action } } : {}),
        sources,
      );
      const result = await outcomes;
      expect(result.map((o) => [o.status, o.code])).toEqual([
        ["stored", "0000"],
        ["failed", action === "abort" ? "aborted" : "connection_lost"],
        ["stored", "0000"],
      ]);
      expect(result[1]?.reason).toMatch(/while RelayPACS was sending this image/);
      expect(result[1]?.retryable).toBe(true);
      expect(records.map((r) => r.stores.length)).toEqual([1, 1]);
    });
  }

  it("a PACS that keeps aborting gets at most MAX_RECONNECTS new associations; the rest are not sent", async () => {
    const sources = Array.from({ length: 8 }, (_, i) => bytesSource(i, MR_ILE));
    const { peer, outcomes } = run(
      { misbehave: { messageNumber: 1, afterBytes: 1, action: "abort" } },
      sources,
    );
    const result = await outcomes;
    expect(peer.connections).toBe(1 + MAX_RECONNECTS);
    expect(result.slice(0, 1 + MAX_RECONNECTS).every((o) => o.code === "aborted")).toBe(true);
    expect(
      result
        .slice(1 + MAX_RECONNECTS)
        .every((o) => o.code === "not_sent" && /^Not sent/.test(o.reason)),
    ).toBe(true);
  });

  it("a PACS that asks to release between files: the next file goes on a new association", async () => {
    const { records, outcomes } = run((i) => (i === 0 ? { releaseAfterStores: 1 } : {}));
    expect((await outcomes).map((o) => o.status)).toEqual(["stored", "stored", "stored"]);
    expect(records.map((r) => [r.stores.length, r.released])).toEqual([
      [1, true],
      [2, true],
    ]);
  });

  it("a response timeout does not reconnect: the rest are not sent", async () => {
    const sources = [bytesSource(0, CT), bytesSource(1, MR_ILE)];
    const { peer, outcomes } = run(
      { misbehave: { messageNumber: 1, afterBytes: 1, action: "silence" } },
      sources,
      { ...config, timeoutMs: 150 },
    );
    expect((await outcomes).map((o) => o.code)).toEqual(["timeout", "not_sent"]);
    expect(peer.connections).toBe(1);
  });

  it("a peer that never answers the association request times out", async () => {
    const { outcomes } = run({ silent: true }, [bytesSource(0, CT)], { ...config, timeoutMs: 100 });
    expect((await outcomes)[0]).toMatchObject({
      code: "timeout",
      reason: expect.stringMatching(/opening the connection/),
    });
  });

  it("a peer that stops answering mid-transfer times out (send idle or response)", async () => {
    const { outcomes } = run(
      { misbehave: { messageNumber: 1, afterBytes: 1, action: "silence" } },
      [bytesSource(0, CT)],
      { ...config, timeoutMs: 150 },
    );
    expect((await outcomes)[0]).toMatchObject({ status: "failed", code: "timeout" });
  });

  it("a peer that stops reading (writes block) times out instead of hanging", async () => {
    const big = syntheticSource({ fileIndex: 0, sopInstanceUid: "2.25.79", pixelBytes: 100_000 });
    const peer = memoryPeer(async (side) => {
      side.stallAfterBytes = 20_000;
      await playScp(side, {}, newRecord());
    });
    const result = await storeInstances({ ...config, timeoutMs: 150 }, [big], peer.connect);
    expect(result[0]).toMatchObject({
      code: "timeout",
      reason: expect.stringMatching(
        /did not answer within 0.15 seconds while RelayPACS was sending/,
      ),
    });
  });

  it("a stored file that turns out short fails alone; the others go on a new association", async () => {
    const short = { ...bytesSource(1, CT.subarray(0, 20_000)), size: CT.length };
    const { records, outcomes } = run({}, [bytesSource(0, MR_ILE), short, bytesSource(2, RLE)]);
    const result = await outcomes;
    expect(result.map((o) => [o.status, o.code])).toEqual([
      ["stored", "0000"],
      ["failed", "file_error"],
      ["stored", "0000"],
    ]);
    expect(records.map((r) => [r.aborted, r.stores.length])).toEqual([
      [true, 1],
      [false, 1],
    ]);
  });

  it("files that are not DICOM fail before any connection; none at all means no connection", async () => {
    const { peer, outcomes } = run({}, [bytesSource(0, new Uint8Array(500).fill(7))]);
    expect((await outcomes)[0]).toMatchObject({
      status: "failed",
      code: "not_dicom",
      sopInstanceUid: "",
    });
    expect(peer.connections).toBe(0);
  });

  it("an unreachable PACS fails every instance with the address to check", async () => {
    const refused = () => {
      throw new Error("ECONNREFUSED");
    };
    const result = await storeInstances(config, [bytesSource(0, CT), bytesSource(1, RLE)], refused);
    expect(
      result.every((o) => o.code === "unreachable" && o.reason.includes("pacs.test:104")),
    ).toBe(true);
  });

  it("invalid settings fail every instance without connecting", async () => {
    const { peer, outcomes } = run({}, [bytesSource(0, CT)], {
      ...config,
      calledAeTitle: "A_TITLE_FAR_TOO_LONG",
    });
    expect((await outcomes)[0]).toMatchObject({
      code: "bad_config",
      reason: expect.stringMatching(/PACS AE title/),
    });
    expect(peer.connections).toBe(0);
  });
});

describe("the reconnect policy", () => {
  it("reconnects for free after our own file failed or after a PACS that made progress broke off", () => {
    const abort = { kind: "aborted_by_peer", source: 0, reason: 0, phase: "send" } as const;
    expect(shouldReconnect({ kind: "local_abort", detail: "x" }, 99, 0)).toBe("free");
    expect(shouldReconnect({ kind: "released_by_peer", phase: "idle" }, 99, 1)).toBe("free");
    expect(shouldReconnect(abort, 99, 2)).toBe("free");
  });

  it("counts reconnects after a PACS broke off without answering anything, up to MAX_RECONNECTS", () => {
    expect(
      shouldReconnect({ kind: "connection_lost", phase: "response" }, MAX_RECONNECTS - 1, 0),
    ).toBe("counted");
    expect(shouldReconnect({ kind: "connection_lost", phase: "response" }, MAX_RECONNECTS, 0)).toBe(
      "no",
    );
  });

  it("never reconnects after a timeout or a protocol error", () => {
    expect(shouldReconnect({ kind: "timeout", phase: "response" }, 0, 5)).toBe("no");
    expect(shouldReconnect({ kind: "protocol_error", detail: "x" }, 0, 5)).toBe("no");
  });
});
