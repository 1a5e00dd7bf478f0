// The archive Web Worker: unpacks ZIP and RAR files off the page's thread (see
// archive-protocol.ts). Start it with
//   new Worker(new URL("./archive.worker.ts", import.meta.url), { type: "module" })
// and pass it to workerArchiveExpander. The unrar WASM binary is fetched on first use only:
// Vite cannot locate it for node-unrar-js, so it is handed over as `wasmBinary`.
import unrarWasmUrl from "node-unrar-js/esm/js/unrar.wasm?url";
import { expandArchiveHere } from "./archive";
import { serveArchiveRequests } from "./archive-worker-core";

let wasm: Promise<ArrayBuffer> | undefined;

function wasmBinary(): Promise<ArrayBuffer> {
  wasm ??= fetch(unrarWasmUrl).then((response) => {
    if (!response.ok) throw new Error(`unrar.wasm: HTTP ${response.status}`);
    return response.arrayBuffer();
  });
  // A failed fetch (offline before it was cached) is retried on the next RAR.
  wasm.catch(() => (wasm = undefined));
  return wasm;
}

serveArchiveRequests(self, expandArchiveHere({ wasmBinary }));
