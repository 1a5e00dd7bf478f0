import { describe, expect, it } from "vitest";
import { mapPool } from "./pool";

const tick = () => new Promise((r) => setTimeout(r, 1));

describe("mapPool", () => {
  it("keeps the items' order and never runs more than the limit at once", async () => {
    let running = 0;
    let most = 0;
    const out = await mapPool([5, 1, 4, 2, 3, 0, 6], 3, async (n) => {
      running++;
      most = Math.max(most, running);
      for (let i = 0; i < n; i++) await tick();
      running--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 0, 60]);
    expect(most).toBe(3);
  });

  it("throws the first failure after the started tasks settle, and starts no new ones", async () => {
    const started: number[] = [];
    let settled = 0;
    const run = mapPool([0, 1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n);
      await tick();
      settled++;
      if (n === 1) throw new Error("boom 1");
      return n;
    });
    await expect(run).rejects.toThrow("boom 1");
    expect(started).toEqual([0, 1, 2]);
    expect(settled).toBe(started.length);
  });

  it("handles no items and a limit above the count", async () => {
    expect(await mapPool([], 4, async () => 1)).toEqual([]);
    expect(await mapPool([1, 2], 8, async (n) => n + 1)).toEqual([2, 3]);
  });
});
