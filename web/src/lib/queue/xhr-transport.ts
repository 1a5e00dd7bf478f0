// A Transport over XMLHttpRequest, for the page: unlike fetch it reports upload progress, which the
// stall watchdog needs to tell a slow chunk from a stuck one. (Service workers have no XHR; there
// the queue uses fetch with a deadline instead.) Same contract as fetch: rejects with a TypeError
// when the network fails and with the signal's reason when aborted.
import type { Transport, TransportInit } from "../uploader/ports";

/** Statuses whose Response may not have a body. */
const NULL_BODY = new Set([101, 204, 205, 304]);

export const xhrTransport: Transport = (url: string, init: TransportInit) =>
  new Promise<Response>((resolve, reject) => {
    const signal = init.signal;
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const body = init.body ?? null;
    if (body instanceof ReadableStream) {
      reject(new TypeError("xhrTransport cannot send a stream"));
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open(init.method ?? "GET", url);
    new Headers(init.headers).forEach((value, name) => xhr.setRequestHeader(name, value));
    const onAbort = () => xhr.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    const done = () => signal?.removeEventListener("abort", onAbort);
    const progress = init.onUploadProgress;
    if (progress) xhr.upload.addEventListener("progress", (event) => progress(event.loaded));
    xhr.addEventListener("load", () => {
      done();
      const headers = new Headers();
      for (const line of xhr
        .getAllResponseHeaders()
        .trim()
        .split(/[\r\n]+/)) {
        const at = line.indexOf(":");
        if (at > 0) headers.append(line.slice(0, at).trim(), line.slice(at + 1).trim());
      }
      const status = xhr.status;
      resolve(new Response(NULL_BODY.has(status) ? null : xhr.responseText, { status, headers }));
    });
    xhr.addEventListener("error", () => {
      done();
      reject(new TypeError("Network request failed"));
    });
    xhr.addEventListener("timeout", () => {
      done();
      reject(new TypeError("Network request timed out"));
    });
    xhr.addEventListener("abort", () => {
      done();
      reject(signal ? abortReason(signal) : new DOMException("Aborted", "AbortError"));
    });
    xhr.send(body);
  });

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error
    ? reason
    : new DOMException("The operation was aborted.", "AbortError");
}
