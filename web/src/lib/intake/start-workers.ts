// Starts the intake's Web Workers. Apart from the screens' code so that Vite sees the literal
// `new Worker(new URL(...), { type: "module" })` it bundles each worker from.

/** The archive worker: unpacks ZIP and RAR (archive.worker.ts). */
export function startArchiveWorker(): Worker | null {
  if (typeof Worker === "undefined") return null;
  return new Worker(new URL("./archive.worker.ts", import.meta.url), { type: "module" });
}

/** A head worker: reads the first bytes of picked files (head.worker.ts). */
export function startHeadWorker(): Worker | null {
  if (typeof Worker === "undefined") return null;
  return new Worker(new URL("./head.worker.ts", import.meta.url), { type: "module" });
}
