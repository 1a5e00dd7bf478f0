// One file offered for upload, whatever it came from (file picker, folder, drag and drop, an
// archive member): a path, a size and byte-range reads. Framework-free so the same scan runs in
// the page, a worker and Node tests. Also: which paths are system clutter to skip silently.

export interface IntakeEntry {
  /** Path as the user sees it, "/"-separated: "CD/DICOM/IM0001", "study.zip/CT/1.dcm". */
  path: string;
  size: number;
  /** Bytes [start, end) of the file; shorter only when the file is shorter than `size` says. */
  read(start: number, end: number): Promise<Uint8Array>;
  stream?(): ReadableStream<Uint8Array>;
  /** The underlying Blob, when there is one: lets a Web Worker read the file without a copy. */
  blob?: Blob;
}

/** The part of Blob (and File) an entry needs. */
export type BlobLike = Pick<Blob, "size" | "slice" | "stream">;

export function entryFromBlob(path: string, blob: BlobLike): IntakeEntry {
  const entry: IntakeEntry = {
    path,
    size: blob.size,
    read: async (start, end) => new Uint8Array(await blob.slice(start, end).arrayBuffer()),
    stream: () => blob.stream(),
  };
  if (blob instanceof Blob) entry.blob = blob;
  return entry;
}

/** An entry over bytes already in memory (an archive member, a test fixture). */
export function entryFromBytes(path: string, bytes: Uint8Array): IntakeEntry {
  return {
    path,
    size: bytes.length,
    read: (start, end) => Promise.resolve(bytes.subarray(start, Math.min(end, bytes.length))),
  };
}

const SYSTEM_NAMES = new Set(["thumbs.db", "desktop.ini", "ehthumbs.db", "icon\r"]);
const SYSTEM_FOLDERS = new Set(["__macosx", "$recycle.bin", "system volume information"]);

/**
 * Whether a path is operating-system clutter that no user means to send: dotfiles and dot
 * folders (.DS_Store, .Trashes, ._resource forks), macOS __MACOSX archive folders, Windows
 * Thumbs.db / desktop.ini and recycle bins.
 */
export function isIgnoredPath(path: string): boolean {
  const parts = normalisePath(path).split("/");
  const name = parts.at(-1)?.toLowerCase() ?? "";
  if (name.startsWith(".") || SYSTEM_NAMES.has(name)) return true;
  return parts.some((part) => part.startsWith(".") || SYSTEM_FOLDERS.has(part.toLowerCase()));
}

/**
 * "a\\b//c/", "/a/b/c" and "../../a/./b/c" all become "a/b/c". An archive member named
 * "../../etc/passwd" stays inside its archive, and "." or ".." is never taken for a hidden
 * (dot) folder: that silently dropped such members, DICOM files among them.
 */
export function normalisePath(path: string): string {
  return path
    .replaceAll("\\", "/")
    .split("/")
    .filter((part) => part !== "" && part !== "." && part !== "..")
    .join("/");
}

/** Reads bytes [start, end) of an entry in pieces of `chunkBytes`, in order. */
export async function* readChunks(
  entry: Pick<IntakeEntry, "size" | "read">,
  chunkBytes = 1024 * 1024,
  start = 0,
  end = entry.size,
): AsyncGenerator<Uint8Array> {
  for (let at = start; at < end; at += chunkBytes) {
    const chunk = await entry.read(at, Math.min(end, at + chunkBytes));
    if (chunk.length === 0) return;
    yield chunk;
  }
}

/** A file the source listed but could not open: the scan reports it rather than dropping it. */
export function unreadableEntry(path: string, error: unknown): IntakeEntry {
  const reason = error instanceof Error ? error : new Error(String(error));
  return { path, size: 0, read: () => Promise.reject(reason) };
}
