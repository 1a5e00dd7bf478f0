import { describe, expect, it } from "vitest";
import { isIgnoredPath, type IntakeEntry } from "./entry";
import {
  entriesFromDataTransfer,
  entriesFromDirectoryHandle,
  entriesFromFiles,
  type DataTransferItemLike,
  type DirectoryEntryLike,
  type DirectoryHandleLike,
  type FileEntryLike,
  type FileHandleLike,
  type FileLike,
  type FileSystemEntryLike,
} from "./sources";

const file = (name: string, text = name, webkitRelativePath = ""): FileLike =>
  Object.assign(new File([text], name), { webkitRelativePath });

async function collect(entries: AsyncIterable<IntakeEntry> | Iterable<IntakeEntry>) {
  const out: { path: string; text: string }[] = [];
  for await (const entry of entries) {
    const text = new TextDecoder().decode(await entry.read(0, entry.size));
    out.push({ path: entry.path, text });
  }
  return out;
}

async function failures(entries: AsyncIterable<IntakeEntry>) {
  const failed: string[] = [];
  for await (const entry of entries) await entry.read(0, 1).catch(() => failed.push(entry.path));
  return failed;
}

describe("isIgnoredPath", () => {
  it.each([
    ".DS_Store",
    "CD/.DS_Store",
    "__MACOSX/CD/._IM0001",
    "CD/Thumbs.db",
    "CD/desktop.ini",
    "CD/.hidden/IM0001",
    ".Trashes/x",
  ])("%s is system clutter", (path) => expect(isIgnoredPath(path)).toBe(true));

  it.each([
    "CD/DICOM/IM0001",
    "DICOMDIR",
    "study.zip",
    "CT/1.2.840.113619.dcm",
    // Archive members named with "." or ".." are not hidden folders.
    "../../CT/IM0001",
    "./IM0001",
  ])("%s is kept", (path) => expect(isIgnoredPath(path)).toBe(false));
});

describe("entriesFromFiles", () => {
  it("keeps a folder pick's relative paths and drops system files", async () => {
    const picked = [
      file("IM0001", "a", "CD/DICOM/IM0001"),
      file(".DS_Store", "x", "CD/.DS_Store"),
      file("Thumbs.db", "x", "CD/DICOM/Thumbs.db"),
      file("DICOMDIR", "d", "CD/DICOMDIR"),
    ];
    expect(await collect(entriesFromFiles(picked))).toEqual([
      { path: "CD/DICOM/IM0001", text: "a" },
      { path: "CD/DICOMDIR", text: "d" },
    ]);
  });

  it("uses the name for plain picks, and reads byte ranges", async () => {
    const [entry] = entriesFromFiles([file("scan.dcm", "0123456789")]);
    expect(entry?.path).toBe("scan.dcm");
    expect(new TextDecoder().decode(await entry?.read(2, 5))).toBe("234");
    expect(entry?.blob).toBeInstanceOf(Blob);
  });
});

function fileHandle(name: string, text = name, fails = false): FileHandleLike {
  return {
    kind: "file",
    name,
    getFile: () =>
      fails ? Promise.reject(new Error("NotFoundError")) : Promise.resolve(file(name, text)),
  };
}

function dirHandle(
  name: string,
  children: (FileHandleLike | DirectoryHandleLike)[],
): DirectoryHandleLike {
  return {
    kind: "directory",
    name,
    values: async function* () {
      yield* children;
    },
  };
}

describe("entriesFromDirectoryHandle", () => {
  it("walks sub-folders, skips clutter and reports files it cannot open", async () => {
    const root = dirHandle("CD", [
      fileHandle("DICOMDIR"),
      fileHandle(".DS_Store"),
      dirHandle("DICOM", [fileHandle("IM0001"), dirHandle("SUB", [fileHandle("IM0002")])]),
      dirHandle("__MACOSX", [fileHandle("._IM0001")]),
      fileHandle("GONE", "", true),
    ]);
    const paths = [];
    for await (const entry of entriesFromDirectoryHandle(root)) paths.push(entry.path);
    expect(paths).toEqual(["CD/DICOMDIR", "CD/DICOM/IM0001", "CD/DICOM/SUB/IM0002", "CD/GONE"]);
    expect(await failures(entriesFromDirectoryHandle(root))).toEqual(["CD/GONE"]);
  });
});

function fileEntry(fullPath: string, text = fullPath): FileEntryLike {
  const name = fullPath.split("/").at(-1) ?? "";
  return { isFile: true, isDirectory: false, name, fullPath, file: (ok) => ok(file(name, text)) };
}

/** A directory whose reader hands out `batch` entries per readEntries call, as Chromium does. */
function dirEntry(
  fullPath: string,
  children: FileSystemEntryLike[],
  batch = 2,
  fail = false,
): DirectoryEntryLike {
  return {
    isFile: false,
    isDirectory: true,
    name: fullPath.split("/").at(-1) ?? "",
    fullPath,
    createReader: () => {
      let at = 0;
      return {
        readEntries: (ok, onError) => {
          if (fail) return onError?.(new Error("NotReadableError"));
          ok(children.slice(at, (at += batch)));
        },
      };
    },
  };
}

const item = (entry: FileSystemEntryLike | null, loose?: FileLike): DataTransferItemLike => ({
  kind: "file",
  webkitGetAsEntry: () => entry,
  getAsFile: () => loose ?? null,
});

describe("entriesFromDataTransfer", () => {
  it("walks dropped folders through every readEntries batch", async () => {
    const images = Array.from({ length: 5 }, (_, i) => fileEntry(`/CD/DICOM/IM000${i}`));
    const dropped = [
      item(dirEntry("/CD", [dirEntry("/CD/DICOM", images), fileEntry("/CD/.DS_Store")])),
      item(fileEntry("/notes.txt", "hello")),
      item(null, file("photo.jpg")),
      { kind: "string", webkitGetAsEntry: () => null, getAsFile: () => null },
    ];
    const found = await collect(entriesFromDataTransfer(dropped));
    expect(found.map((f) => f.path)).toEqual([
      ...images.map((_, i) => `CD/DICOM/IM000${i}`),
      "notes.txt",
      "photo.jpg",
    ]);
    expect(found.find((f) => f.path === "notes.txt")?.text).toBe("hello");
  });

  it("takes the items during the drop event, before they are emptied", async () => {
    const items = [item(fileEntry("/a.dcm"))];
    const entries = entriesFromDataTransfer(items);
    items.length = 0; // the browser clears the list once the handler returns
    expect((await collect(entries)).map((f) => f.path)).toEqual(["a.dcm"]);
  });

  it("a folder that cannot be read becomes one entry whose read fails", async () => {
    const dropped = [item(dirEntry("/LOCKED", [fileEntry("/LOCKED/x")], 2, true))];
    expect(await failures(entriesFromDataTransfer(dropped))).toEqual(["LOCKED"]);
  });
});
