// The page side of the archive protocol: an ArchiveExpander that has the Web Worker do the
// unpacking (inflate, unrar WASM) so the page stays responsive. It pulls one item at a time;
// leaving the loop early cancels the job in the worker.
import type { ArchiveExpander, ArchiveItem } from "./archive-types";
import { fromWorkerSchema, type FromWorker, type MessagePortLike } from "./archive-protocol";

/** Replies for one job, in arrival order; the next() promise waits for the next reply. */
class Replies {
  private readonly queue: FromWorker[] = [];
  private waiting: ((reply: FromWorker) => void) | null = null;
  private readonly listener = (event: MessageEvent) => {
    const parsed = fromWorkerSchema.safeParse(event.data);
    if (!parsed.success || parsed.data.id !== this.id) return;
    if (this.waiting) {
      this.waiting(parsed.data);
      this.waiting = null;
    } else this.queue.push(parsed.data);
  };

  constructor(
    private readonly port: MessagePortLike,
    private readonly id: number,
  ) {
    port.addEventListener("message", this.listener);
  }

  next(): Promise<FromWorker> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => (this.waiting = resolve));
  }

  close(): void {
    this.port.removeEventListener("message", this.listener);
  }
}

function blobPart(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer
    ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)
    : bytes.slice();
}

let lastJob = 0;

/**
 * An expander backed by the archive worker: `new Worker(new URL("./archive.worker.ts",
 * import.meta.url), { type: "module" })` in the page, a MessagePort in tests.
 */
export function workerArchiveExpander(port: MessagePortLike): ArchiveExpander {
  return async function* expandInWorker(archive, format, limits): AsyncGenerator<ArchiveItem> {
    const id = ++lastJob;
    // A File is cloned to the worker without copying its bytes; an in-memory member is wrapped.
    const file = archive.blob ?? new Blob([blobPart(await archive.read(0, archive.size))]);
    const replies = new Replies(port, id);
    let finished = false;
    try {
      port.postMessage({ type: "expand", id, path: archive.path, format, file, limits });
      for (;;) {
        port.postMessage({ type: "next", id });
        const reply = await replies.next();
        if (reply.type === "done") return void (finished = true);
        if (reply.type === "failed") {
          finished = true;
          throw new Error(reply.message);
        }
        yield reply.type === "member"
          ? { type: "member", path: reply.path, bytes: reply.bytes }
          : { type: "problem", path: reply.path, problem: reply.problem };
      }
    } finally {
      if (!finished) port.postMessage({ type: "cancel", id });
      replies.close();
    }
  };
}
