// One chunk PUT under a stall watchdog: a request that stops making progress is aborted (and the
// caller retries), instead of hanging forever. Safari may also abort a dropped connection as if it
// had been cancelled; both end up as a retry. With a transport that reports upload progress
// (XMLHttpRequest) the watchdog resets on every report; without one (fetch in the service worker)
// the request gets a deadline from its size and the measured rate.
import type { Api, ChunkUpload } from "../uploader/api";
import type { ChunkAck } from "../uploader/contract";
import { StallError } from "./failures";

export interface WatchdogOptions {
  /** No progress for this long aborts the request. */
  stallMs: number;
  /** Time allowed before the first progress report (covers the whole request without reports). */
  firstMs: number;
  signal?: AbortSignal;
  onProgress?: (bytesSent: number) => void;
}

/** The time to allow a chunk without progress reports: stall window plus its size at half the rate. */
export function firstAllowanceMs(bytes: number, stallMs: number, rateBps: number | null): number {
  const rate = rateBps && rateBps > 0 ? rateBps / 2 : 16 * 1024;
  return stallMs + (bytes * 1000) / rate;
}

export async function putChunkWatched(
  api: Api,
  chunk: ChunkUpload,
  options: WatchdogOptions,
): Promise<ChunkAck> {
  const watchdog = new AbortController();
  const outer = options.signal;
  const onOuterAbort = () => watchdog.abort(outer?.reason);
  outer?.addEventListener("abort", onOuterAbort, { once: true });
  if (outer?.aborted) onOuterAbort();
  let timer = setTimeout(() => watchdog.abort(new StallError(options.firstMs)), options.firstMs);
  const onProgress = (sent: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => watchdog.abort(new StallError(options.stallMs)), options.stallMs);
    options.onProgress?.(sent);
  };
  try {
    return await api.putChunk(chunk, watchdog.signal, onProgress);
  } catch (error) {
    const reason: unknown = watchdog.signal.reason;
    throw reason instanceof StallError ? reason : error;
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener("abort", onOuterAbort);
  }
}
