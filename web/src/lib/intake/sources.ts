// Turns what the browser hands over into IntakeEntry values: a FileList (<input multiple> or
// <input webkitdirectory>), a File System Access directory handle, or dropped DataTransferItems.
// Written against the few members used, so Node tests feed fakes. System clutter is skipped here
// (and again by the scan); files that cannot be opened become entries whose read fails.
import {
  entryFromBlob,
  isIgnoredPath,
  normalisePath,
  unreadableEntry,
  type BlobLike,
  type IntakeEntry,
} from "./entry";

export type FileLike = BlobLike & { name: string; webkitRelativePath?: string };

/** Files from an <input type="file" multiple> or <input webkitdirectory> (relative paths kept). */
export function entriesFromFiles(files: Iterable<FileLike> | ArrayLike<FileLike>): IntakeEntry[] {
  return Array.from(files)
    .map((file) => entryFromBlob(normalisePath(file.webkitRelativePath || file.name), file))
    .filter((entry) => !isIgnoredPath(entry.path));
}

/**
 * The same, one entry at a time. In Chromium the first look at a picked File's size is a
 * synchronous round trip to the browser (about 0.5 ms each); taken lazily, it overlaps with the
 * reads the scan already has in flight instead of stalling a 1,000-file pick before it starts.
 */
export function* eachEntryFromFiles(
  files: Iterable<FileLike> | ArrayLike<FileLike>,
): Generator<IntakeEntry> {
  for (const file of Array.from(files)) {
    const path = normalisePath(file.webkitRelativePath || file.name);
    if (!isIgnoredPath(path)) yield entryFromBlob(path, file);
  }
}

// File System Access API (showDirectoryPicker): FileSystemDirectoryHandle / FileSystemFileHandle.
export interface FileHandleLike {
  kind: "file";
  name: string;
  getFile(): Promise<FileLike>;
}
export interface DirectoryHandleLike {
  kind: "directory";
  name: string;
  values(): AsyncIterable<FileHandleLike | DirectoryHandleLike>;
}

/** Walks a directory handle depth-first; paths start with the folder's own name. */
export async function* entriesFromDirectoryHandle(
  handle: DirectoryHandleLike,
  prefix = handle.name,
): AsyncGenerator<IntakeEntry> {
  for await (const child of handle.values()) {
    const path = `${prefix}/${child.name}`;
    if (isIgnoredPath(path)) continue;
    if (child.kind === "directory") {
      yield* entriesFromDirectoryHandle(child, path);
      continue;
    }
    try {
      yield entryFromBlob(path, await child.getFile());
    } catch (error) {
      yield unreadableEntry(path, error);
    }
  }
}

// Drag and drop: DataTransferItem.webkitGetAsEntry() and the FileSystemEntry family.
export interface FileEntryLike {
  isFile: true;
  isDirectory: false;
  name: string;
  fullPath: string;
  file(onFile: (file: FileLike) => void, onError?: (error: unknown) => void): void;
}
export interface DirectoryReaderLike {
  readEntries(
    onEntries: (entries: FileSystemEntryLike[]) => void,
    onError?: (error: unknown) => void,
  ): void;
}
export interface DirectoryEntryLike {
  isFile: false;
  isDirectory: true;
  name: string;
  fullPath: string;
  createReader(): DirectoryReaderLike;
}
export type FileSystemEntryLike = FileEntryLike | DirectoryEntryLike;
export interface DataTransferItemLike {
  kind: string;
  webkitGetAsEntry(): FileSystemEntryLike | null;
  getAsFile(): FileLike | null;
}

/**
 * Entries of dropped items. Call it inside the drop handler: the browser empties the items when
 * the event returns, so their entries are taken now and walked afterwards.
 */
export function entriesFromDataTransfer(
  items: ArrayLike<DataTransferItemLike>,
): AsyncIterable<IntakeEntry> {
  const roots: (FileSystemEntryLike | FileLike)[] = [];
  for (const item of Array.from(items)) {
    if (item.kind !== "file") continue;
    const root = item.webkitGetAsEntry() ?? item.getAsFile();
    if (root) roots.push(root);
  }
  return walkDropped(roots);
}

async function* walkDropped(
  roots: (FileSystemEntryLike | FileLike)[],
): AsyncGenerator<IntakeEntry> {
  for (const root of roots) {
    if ("isFile" in root) yield* walkEntry(root);
    else if (!isIgnoredPath(root.name)) yield entryFromBlob(root.name, root);
  }
}

async function* walkEntry(entry: FileSystemEntryLike): AsyncGenerator<IntakeEntry> {
  const path = normalisePath(entry.fullPath || entry.name);
  if (isIgnoredPath(path)) return;
  if (entry.isFile) {
    try {
      const file = await new Promise<FileLike>((resolve, reject) => entry.file(resolve, reject));
      yield entryFromBlob(path, file);
    } catch (error) {
      yield unreadableEntry(path, error);
    }
    return;
  }
  const reader = entry.createReader();
  for (;;) {
    // readEntries hands out a directory in batches (100 at a time in Chromium) until empty.
    let batch: FileSystemEntryLike[];
    try {
      batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
    } catch (error) {
      yield unreadableEntry(path, error);
      return;
    }
    if (batch.length === 0) return;
    for (const child of batch) yield* walkEntry(child);
  }
}
