// Reads the first bytes of picked files, and parses DICOM headers, in a few head workers, so the
// page's thread neither waits on the browser's file round trips (a 1,000-file scan reads 1,000
// slices) nor parses. Requests made in the same tick go as one batch per worker; answers come
// back in order. Entries without a Blob (archive members, already in memory) are read in place
// and parsed by the scan itself.
import type { MessagePortLike } from "./archive-protocol";
import type { IntakeEntry } from "./entry";
import { fromHeadWorkerSchema, type Head } from "./head-protocol";

export type { Head };
export type HeadReader = (entry: IntakeEntry, bytes: number) => Promise<Head>;

interface Pending {
  entry: IntakeEntry;
  blob: Blob;
  bytes: number;
  resolve: (head: Head) => void;
}

/** At most this many files in one message: a worker starts reading before the next arrives. */
const BATCH = 16;
/** A worker that has not answered by then (it failed to start, it crashed): read in place. */
const ANSWER_WITHIN_MS = 15_000;

/** The first bytes of an entry, read in this thread; never rejects. */
export const readInPlace: HeadReader = (entry, bytes) =>
  entry.read(0, Math.min(entry.size, bytes)).then(
    (first) => ({ bytes: first }),
    () => ({ bytes: null }),
  );

let lastBatch = 0;

export function headPool(ports: readonly MessagePortLike[]): HeadReader {
  const waiting = new Map<number, { batch: Pending[]; timer: ReturnType<typeof setTimeout> }>();
  const busy = new Map<MessagePortLike, number>(ports.map((port) => [port, 0]));
  let queued: Pending[] = [];

  for (const port of ports) {
    port.addEventListener("message", (event) => {
      const parsed = fromHeadWorkerSchema.safeParse(event.data);
      const sent = parsed.success ? waiting.get(parsed.data.id) : undefined;
      if (!parsed.success || !sent) return;
      waiting.delete(parsed.data.id);
      clearTimeout(sent.timer);
      busy.set(port, (busy.get(port) ?? 1) - 1);
      sent.batch.forEach((request, i) => request.resolve(parsed.data.heads[i] ?? { bytes: null }));
    });
  }

  function flush(): void {
    const requests = queued;
    queued = [];
    for (let at = 0; at < requests.length; at += BATCH) {
      const batch = requests.slice(at, at + BATCH);
      const port = [...busy].reduce((a, b) => (b[1] < a[1] ? b : a))[0];
      const id = ++lastBatch;
      const timer = setTimeout(() => {
        if (!waiting.delete(id)) return;
        for (const request of batch) {
          void readInPlace(request.entry, request.bytes).then(request.resolve);
        }
      }, ANSWER_WITHIN_MS);
      waiting.set(id, { batch, timer });
      busy.set(port, (busy.get(port) ?? 0) + 1);
      const bytes = Math.max(...batch.map((r) => r.bytes));
      port.postMessage({ type: "heads", id, files: batch.map((r) => r.blob), bytes });
    }
  }

  return (entry, bytes) => {
    const blob = entry.blob;
    if (!blob || ports.length === 0) return readInPlace(entry, bytes);
    return new Promise((resolve) => {
      if (queued.length === 0) queueMicrotask(flush);
      queued.push({ entry, blob, bytes, resolve });
    });
  };
}
