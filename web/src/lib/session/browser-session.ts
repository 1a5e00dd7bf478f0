// The session keeper wired to the browser: IndexedDB, Web Locks, fetch and the system clock.
// Usable from a page or the service worker (neither needs the other's globals).
import { createAuthApi } from "./auth-api";
import { idbSessionStore } from "./idb-store";
import { SessionKeeper } from "./session-keeper";
import { webLocks } from "./web-locks";

export function browserSessionKeeper(): SessionKeeper {
  return new SessionKeeper({
    store: idbSessionStore(),
    locks: webLocks(),
    // Bound through an arrow: an unbound window.fetch throws "Illegal invocation".
    api: createAuthApi((url, init) => fetch(url, init)),
    clock: { now: () => Date.now() },
  });
}
