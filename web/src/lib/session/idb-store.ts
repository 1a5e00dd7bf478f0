// The sign-in kept in IndexedDB. Why not localStorage: the refresh token must outlive closing the
// app (the offline queue sends a study hours later), and the service worker, which uploads in the
// background, has no localStorage; IndexedDB and Web Locks exist in pages and workers alike.
// Records are parsed when read back: a bad record counts as none.
import { openDB, type IDBPDatabase } from "idb";
import type { SessionStore } from "./ports";
import { KnownDevice, StoredSession } from "./stored";

const DB_NAME = "relaypacs-session";
const STORE = "records";
const SESSION_KEY = "session";
const DEVICE_KEY = "device";

export function idbSessionStore(): SessionStore {
  let db: Promise<IDBPDatabase> | null = null;
  const open = () =>
    (db ??= openDB(DB_NAME, 1, {
      upgrade(database) {
        database.createObjectStore(STORE);
      },
    }));

  async function put(key: string, value: unknown): Promise<void> {
    const database = await open();
    if (value === null) await database.delete(STORE, key);
    else await database.put(STORE, value, key);
  }

  return {
    async read() {
      const database = await open();
      const tx = database.transaction(STORE, "readonly");
      const session: unknown = await tx.store.get(SESSION_KEY);
      const device: unknown = await tx.store.get(DEVICE_KEY);
      await tx.done;
      const s = StoredSession.safeParse(session);
      const d = KnownDevice.safeParse(device);
      return { session: s.success ? s.data : null, device: d.success ? d.data : null };
    },
    writeSession: (session) => put(SESSION_KEY, session),
    writeDevice: (device) => put(DEVICE_KEY, device),
  };
}
