// The worker side of the archive protocol, apart from the worker entry file so Node tests can
// drive it through a MessageChannel. Each "expand" opens a lazy expansion; each "next" advances it
// by one item, whose bytes are transferred (not copied) to the page.
import type { ArchiveExpander, ArchiveItem } from "./archive-types";
import { toWorkerSchema, type FromWorker, type MessagePortLike } from "./archive-protocol";
import { entryFromBlob } from "./entry";

/** Transferring hands the buffer over without a copy; a view into a larger buffer is copied. */
function ownBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  if (bytes.byteOffset === 0 && bytes.buffer instanceof ArrayBuffer) {
    if (bytes.byteLength === bytes.buffer.byteLength) return new Uint8Array(bytes.buffer);
  }
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy;
}

export function serveArchiveRequests(port: MessagePortLike, expand: ArchiveExpander): void {
  const running = new Map<number, AsyncIterator<ArchiveItem>>();
  const post = (message: FromWorker, transfer: Transferable[] = []) =>
    port.postMessage(message, { transfer });

  async function step(id: number): Promise<void> {
    const iterator = running.get(id);
    if (!iterator) return post({ type: "failed", id, message: "No such archive job." });
    try {
      const next = await iterator.next();
      if (next.done) {
        running.delete(id);
        return post({ type: "done", id });
      }
      const item = next.value;
      if (item.type === "problem")
        return post({ type: "problem", id, path: item.path, problem: item.problem });
      const bytes = ownBuffer(item.bytes);
      post({ type: "member", id, path: item.path, bytes }, [bytes.buffer]);
    } catch (error) {
      running.delete(id);
      const message = error instanceof Error ? error.name : "Unexpected error";
      post({ type: "failed", id, message: `The archive could not be unpacked (${message}).` });
    }
  }

  port.addEventListener("message", (event) => {
    const parsed = toWorkerSchema.safeParse(event.data);
    if (!parsed.success) return; // not ours: other code may share the port
    const message = parsed.data;
    if (message.type === "expand") {
      const archive = { ...entryFromBlob(message.path, message.file), path: message.path };
      running.set(
        message.id,
        expand(archive, message.format, message.limits)[Symbol.asyncIterator](),
      );
    } else if (message.type === "next") {
      void step(message.id);
    } else {
      void running
        .get(message.id)
        ?.return?.()
        .catch(() => undefined);
      running.delete(message.id);
    }
  });
}
