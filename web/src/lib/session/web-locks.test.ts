import { describe, expect, it } from "vitest";
import { localLocks, webLocks } from "./web-locks";

describe("locks", () => {
  it("a local lock runs tasks of one name one after another, even after a failure", async () => {
    const locks = localLocks();
    const order: string[] = [];
    const task =
      (label: string, fail = false) =>
      async () => {
        order.push(`${label} start`);
        await new Promise((r) => setTimeout(r, 5));
        order.push(`${label} end`);
        if (fail) throw new Error(label);
        return label;
      };
    const results = await Promise.allSettled([
      locks.exclusive("x", task("a", true)),
      locks.exclusive("x", task("b")),
    ]);
    expect(order).toEqual(["a start", "a end", "b start", "b end"]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "fulfilled"]);
  });

  it("uses the Web Locks API when the browser has it, in exclusive mode", async () => {
    const calls: Array<[string, LockOptions]> = [];
    const manager = {
      request: (name: string, options: LockOptions, task: () => Promise<unknown>) => {
        calls.push([name, options]);
        return task();
      },
    } as unknown as LockManager;
    expect(await webLocks(manager).exclusive("relaypacs-refresh", async () => 7)).toBe(7);
    expect(calls).toEqual([["relaypacs-refresh", { mode: "exclusive" }]]);
  });
});
