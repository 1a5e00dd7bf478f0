// How the page and the service worker hear about the queue: a BroadcastChannel that says "the
// queue changed" (whoever runs it, every screen refreshes from the store), and Background Sync
// where the browser has it (Chromium only; Safari never fires it: page-triggers.ts covers that).
// Messages are parsed, never cast. Worker-safe: no DOM.
import { z } from "zod";

export const SYNC_TAG = "relaypacs-queue";
const CHANNEL = "relaypacs-queue";

export const QueueMessage = z.discriminatedUnion("type", [
  z.object({ type: z.literal("changed") }),
  /** Someone queued a job or came back online: whoever can, run the queue. */
  z.object({ type: z.literal("kick") }),
]);
export type QueueMessage = z.infer<typeof QueueMessage>;

export interface Channel {
  post(message: QueueMessage): void;
  close(): void;
}

export function openChannel(onMessage: (message: QueueMessage) => void): Channel | null {
  if (typeof BroadcastChannel === "undefined") return null;
  const channel = new BroadcastChannel(CHANNEL);
  channel.addEventListener("message", (event: MessageEvent<unknown>) => {
    const parsed = QueueMessage.safeParse(event.data);
    if (parsed.success) onMessage(parsed.data);
  });
  return { post: (message) => channel.postMessage(message), close: () => channel.close() };
}

interface SyncManagerLike {
  register(tag: string): Promise<void>;
}

function isSyncManager(value: unknown): value is SyncManagerLike {
  return (
    typeof value === "object" &&
    value !== null &&
    "register" in value &&
    typeof value.register === "function"
  );
}

/** Asks the browser to wake the service worker when the network is back. False where unsupported. */
export async function requestBackgroundSync(): Promise<boolean> {
  if (typeof navigator === "undefined" || !("serviceWorker" in navigator)) return false;
  try {
    const registration = await navigator.serviceWorker.ready;
    const sync: unknown = "sync" in registration ? registration.sync : undefined;
    if (!isSyncManager(sync)) return false;
    await sync.register(SYNC_TAG);
    return true;
  } catch {
    return false;
  }
}
