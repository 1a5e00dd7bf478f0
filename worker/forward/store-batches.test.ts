import { describe, expect, it } from "vitest";
import type { ForwardInstance, InstanceResult, PacsAdapter, StoreResult } from "./adapter";
import { storeAll, storeBatch } from "./store-batches";

const instance = (index: number, size = 10): ForwardInstance => ({
  index,
  size,
  sopInstanceUid: `1.2.${index}`,
  studyInstanceUid: "1.2",
  open: () => Promise.reject(new Error("not read in these tests")),
});

const stored = (batch: ForwardInstance[]): StoreResult => ({
  kind: "answered",
  results: batch.map((i) => ({
    index: i.index,
    outcome: { status: "stored" as const, sopInstanceUid: i.sopInstanceUid, message: "Stored." },
  })),
});

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

/** An adapter whose answer for each batch (by its first index) the test decides; it logs events. */
function scripted(answer: (batch: ForwardInstance[]) => Promise<StoreResult> | StoreResult) {
  const log: string[] = [];
  let open = 0;
  let most = 0;
  const adapter: PacsAdapter = {
    async store(batch) {
      const name = batch.map((i) => i.index).join(",");
      log.push(`start ${name}`);
      most = Math.max(most, ++open);
      try {
        await tick();
        return await answer(batch);
      } finally {
        open--;
        log.push(`end ${name}`);
      }
    },
  };
  const recorded: InstanceResult[] = [];
  const record = async (results: InstanceResult[]) => {
    recorded.push(...results);
  };
  return { adapter, log, record, recorded, most: () => most };
}

const batchesOf = (...sizes: number[]) => {
  let index = 0;
  return sizes.map((n) => Array.from({ length: n }, () => instance(index++)));
};

describe("storeAll", () => {
  it("sends every batch, never more than the limit at once, and records every answer", async () => {
    const s = scripted(stored);
    expect(await storeAll(s.adapter, batchesOf(2, 2, 2, 2, 1), s.record, 2)).toBeNull();
    expect(s.most()).toBe(2);
    expect(s.recorded.map((r) => r.index).sort((a, b) => a - b)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8,
    ]);
  });

  it("with a limit of one, batches go strictly one after another", async () => {
    const s = scripted(stored);
    await storeAll(s.adapter, batchesOf(1, 1, 1), s.record, 1);
    expect(s.log).toEqual(["start 0", "end 0", "start 1", "end 1", "start 2", "end 2"]);
  });

  it("after a failure no new batch starts; the one in flight finishes and is recorded", async () => {
    const s = scripted(async (batch) => {
      if (batch[0]?.index === 0)
        return { kind: "failure", failure: { kind: "network" }, message: "" };
      await tick();
      await tick();
      return stored(batch);
    });
    const failure = await storeAll(s.adapter, batchesOf(1, 1, 1, 1), s.record, 2);
    expect(failure).toEqual({ kind: "network" });
    expect(s.log.filter((e) => e.startsWith("start"))).toEqual(["start 0", "start 1"]);
    expect(s.log.at(-1)).toBe("end 1");
    expect(s.recorded.map((r) => r.index)).toEqual([1]);
  });

  it("a partial answer's failure stops new batches too, after recording what was answered", async () => {
    const s = scripted((batch) => ({ ...stored(batch), failure: { kind: "timeout" } }));
    const failure = await storeAll(s.adapter, batchesOf(1, 1, 1), s.record, 1);
    expect(failure).toEqual({ kind: "timeout" });
    expect(s.recorded.map((r) => r.index)).toEqual([0]);
  });

  it("an error is thrown only once the batch in flight has finished, and no new batch starts", async () => {
    const s = scripted(async (batch) => {
      if (batch[0]?.index === 0) throw new Error("session object unreachable");
      await tick();
      await tick();
      return stored(batch);
    });
    await expect(storeAll(s.adapter, batchesOf(1, 1, 1), s.record, 2)).rejects.toThrow(
      "session object unreachable",
    );
    expect(s.log).toEqual(["start 0", "start 1", "end 0", "end 1"]);
    expect(s.recorded.map((r) => r.index)).toEqual([1]);
  });

  it("no batches: nothing is sent", async () => {
    const s = scripted(stored);
    expect(await storeAll(s.adapter, [], s.record, 2)).toBeNull();
    expect(s.log).toEqual([]);
  });
});

describe("storeBatch", () => {
  it("halves a batch the PACS finds too large, down to one instance, which fails with words", async () => {
    // The PACS takes at most 15 bytes: batches of two 10-byte instances are too large.
    const s = scripted((batch) =>
      batch.reduce((n, i) => n + i.size, 0) > 15 ? { kind: "too_large" } : stored(batch),
    );
    const batch = [instance(0), instance(1), instance(2, 40), instance(3)];
    expect(await storeBatch(s.adapter, batch, s.record)).toBeNull();
    const byIndex = new Map(s.recorded.map((r) => [r.index, r.outcome]));
    expect(byIndex.get(0)?.status).toBe("stored");
    expect(byIndex.get(1)?.status).toBe("stored");
    expect(byIndex.get(3)?.status).toBe("stored");
    expect(byIndex.get(2)).toMatchObject({ status: "failed", code: "too_large" });
    expect(byIndex.get(2)?.message).toMatch(/larger than the PACS .* accepts/);
  });
});
