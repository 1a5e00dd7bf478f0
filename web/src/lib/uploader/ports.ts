// The uploader core's only links to the outside world, so it runs in the page, a service worker
// or Node tests alike: a transport shaped like fetch, and a clock that can sleep.

/**
 * Shaped like `fetch`; pass `(url, init) => fetch(url, init)` (an unbound window.fetch throws).
 * `onUploadProgress` is a hint a transport may honour (XMLHttpRequest can, fetch cannot): it lets
 * the queue tell a slow upload from a stalled one.
 */
export type Transport = (url: string, init: TransportInit) => Promise<Response>;

export interface TransportInit extends RequestInit {
  /** Bytes of the request body sent so far, reported as they go. */
  onUploadProgress?: (bytesSent: number) => void;
}

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason once it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortReason(signal));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};

/** What the core needs of a file: a browser `File` fits, and so does a Node `Blob` with a name. */
export interface SourceFile {
  readonly name: string;
  readonly size: number;
  slice(start?: number, end?: number): Blob;
}

/** The signal's reason as an Error (abort() with no argument gives a DOMException already). */
function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error
    ? reason
    : new DOMException("The operation was aborted.", "AbortError");
}
