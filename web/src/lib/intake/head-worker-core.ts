// The worker side of the head protocol, apart from the worker entry so Node tests can drive it
// through a MessageChannel. For each file of a batch: its first bytes, and for a DICOM file the
// header verdict (dicom-parser, reading more of the file only while the header needs it). In
// Chromium each File.slice is a round trip to the browser: here it costs this thread, not the page's.
import { readDicomHeader } from "../dicom/header-verdict";
import type { MessagePortLike } from "./archive-protocol";
import { detectFormat } from "./detect";
import { toHeadWorkerSchema, type Head } from "./head-protocol";

const range = async (file: Blob, start: number, end: number) =>
  new Uint8Array(await file.slice(start, end).arrayBuffer());

interface WorkerHead extends Head {
  bytes: Uint8Array<ArrayBuffer> | null;
}

async function head(file: Blob, bytes: number): Promise<WorkerHead> {
  let first: Uint8Array<ArrayBuffer>;
  try {
    first = await range(file, 0, Math.min(file.size, bytes));
  } catch {
    return { bytes: null }; // moved or deleted since it was picked: the scan says so
  }
  const format = detectFormat(first);
  if (format.kind !== "dicom" && format.kind !== "dicomdir") return { bytes: first };
  try {
    const verdict = await readDicomHeader((s, e) => range(file, s, e), file.size, first);
    return { bytes: first, verdict };
  } catch {
    return { bytes: first }; // a read failed part-way: the page tries again and says so
  }
}

export function serveHeadRequests(port: MessagePortLike): void {
  port.addEventListener("message", (event) => {
    const parsed = toHeadWorkerSchema.safeParse(event.data);
    if (!parsed.success) return; // not ours
    const { id, files, bytes } = parsed.data;
    void Promise.all(files.map((file) => head(file, bytes))).then((heads) => {
      const reply = { type: "heads", id, heads } as const;
      const transfer = heads.flatMap((h) => (h.bytes ? [h.bytes.buffer] : []));
      port.postMessage(reply, { transfer });
    });
  });
}
