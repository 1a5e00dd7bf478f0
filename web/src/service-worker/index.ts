/// <reference types="@sveltejs/kit" />
// The service worker (built by SvelteKit, its precache list injected by @vite-pwa's injectManifest):
// keeps the app shell so the app opens offline, never touches /api (uploads, sign-in and status
// always go to the network), and runs the upload queue when Background Sync fires (Chromium only;
// elsewhere the page runs it on launch, online, visible and a timer).
import { version } from "$service-worker";
import { z } from "zod";
import { browserSessionKeeper } from "$lib/session/browser-session";
import { accessTokenPort } from "$lib/queue/access-token";
import { SYNC_TAG, openChannel } from "$lib/queue/bridge";
import { UploadManager, webLock } from "$lib/queue/manager";
import { DEFAULT_TUNING } from "$lib/queue/runner-deps";
import { IdbJobStore } from "$lib/queue/store";
import { createApi } from "$lib/uploader/api";
import { systemClock } from "$lib/uploader/ports";

// The webworker library types `self` as a generic worker scope; this one is a service worker.
const sw = self as unknown as ServiceWorkerGlobalScope;

const CACHE_PREFIX = "relaypacs-shell-";
const CACHE = `${CACHE_PREFIX}${version}`;
/** The SPA's one page: every navigation is answered with it (the adapter's fallback). */
const SHELL = "/";

const PrecacheEntry = z.union([
  z.string(),
  z.object({ url: z.string(), revision: z.string().nullable().optional() }),
]);
// workbox-build replaces `self.__WB_MANIFEST` (that exact text) with the list of built files.
const injected: unknown = (self as unknown as { __WB_MANIFEST: unknown }).__WB_MANIFEST;
const PRECACHE: readonly string[] = [
  SHELL,
  ...z
    .array(PrecacheEntry)
    .parse(injected)
    .map((entry) => (typeof entry === "string" ? entry : entry.url))
    // The fallback is listed as index.html; the worker serves it at "/" (already listed).
    .filter((url) => url !== "index.html" && url !== "/index.html")
    .map((url) => new URL(url, sw.location.origin).pathname),
];
const precached = new Set(PRECACHE);

sw.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // "reload": straight from the network, not from the HTTP cache (it may hold an old shell).
      await cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload" })));
      // Take over at once: uploads are in IndexedDB, not in the page, so nothing is interrupted.
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith(CACHE_PREFIX) && key !== CACHE) await caches.delete(key);
      }
      await sw.clients.claim();
    })(),
  );
});

sw.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  // Only our own GETs; /api never (chunks, tokens, status must be live and are never stored).
  if (request.method !== "GET" || url.origin !== sw.location.origin) return;
  if (url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate") {
    event.respondWith(fromCache(SHELL, request));
  } else if (precached.has(url.pathname)) {
    event.respondWith(fromCache(url.pathname, request));
  }
});

/** The precached copy, or the network when (for some reason) it is missing. */
async function fromCache(key: string, request: Request): Promise<Response> {
  const cached = await (await caches.open(CACHE)).match(key);
  return cached ?? fetch(request);
}

interface SyncEventLike extends ExtendableEvent {
  readonly tag: string;
}

function isSyncEvent(event: Event): event is SyncEventLike {
  return "tag" in event && typeof event.tag === "string" && "waitUntil" in event;
}

sw.addEventListener("sync", (event: Event) => {
  if (isSyncEvent(event) && event.tag === SYNC_TAG) event.waitUntil(runQueue());
});

/** One run of the queue here; rejects when work is left, so the browser fires `sync` again later. */
async function runQueue(): Promise<void> {
  const keeper = browserSessionKeeper();
  // The page may have signed in or out since this worker last looked.
  await keeper.reload();
  const channel = openChannel(() => undefined);
  const store = new IdbJobStore();
  const manager = new UploadManager({
    store,
    api: createApi((url, init) => fetch(url, init)),
    clock: systemClock,
    getAccessToken: accessTokenPort({
      accessToken: null,
      freshAccessToken: () => keeper.freshAccessToken(),
    }),
    random: Math.random,
    tuning: DEFAULT_TUNING,
    lock: webLock(),
    events: {
      progress: () => undefined,
      changed: () => channel?.post({ type: "changed" }),
      settled: () => undefined,
    },
  });
  try {
    const result = await manager.kick();
    if (result === "waiting") throw new Error("the queue is waiting for the network");
  } finally {
    manager.dispose();
    channel?.close();
    store.close();
  }
}
