// The cross-tab lock: the Web Locks API (pages and workers of one origin share it). Where a
// browser lacks it (Safari before 15.4), a lock within this one page: tabs are then not
// serialised, which the server notices as a reused refresh token and ends that sign-in.
import type { LockPort } from "./ports";

export function webLocks(locks: LockManager | undefined = globalThis.navigator?.locks): LockPort {
  if (locks === undefined) return localLocks();
  return {
    // The DOM typings wrap the callback's promise once more; the API resolves with its value.
    exclusive: async (name, task) => await locks.request(name, { mode: "exclusive" }, task),
  };
}

/** Exclusive locks within one JavaScript realm: each task starts after the previous one settled. */
export function localLocks(): LockPort {
  const tails = new Map<string, Promise<unknown>>();
  return {
    exclusive<T>(name: string, task: () => Promise<T>): Promise<T> {
      const previous = tails.get(name) ?? Promise.resolve();
      const run = previous.then(task, task);
      const tail = run.catch(() => undefined);
      tails.set(name, tail);
      void tail.then(() => {
        if (tails.get(name) === tail) tails.delete(name);
      });
      return run;
    },
  };
}
