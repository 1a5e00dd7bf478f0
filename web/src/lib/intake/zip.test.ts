import { describe, expect, it } from "vitest";
import { fixtureBytes } from "../../../tests/fixtures/intake/load";
import {
  dataOffset,
  markSplit,
  patchMember,
  streamedZip,
  toZip64,
  zipSync,
} from "../../../tests/fixtures/intake/zip-craft";
import { DEFAULT_ARCHIVE_LIMITS, type ArchiveItem, type ArchiveLimits } from "./archive-types";
import { entryFromBytes } from "./entry";
import { describeProblem } from "./problems";
import { expandZip } from "./zip-stream";

const ct = fixtureBytes("root", "transfer_syntax/explicit_vr_le/CT_small.dcm");
const mr = fixtureBytes("root", "transfer_syntax/explicit_vr_le/MR_small.dcm");
const notes = new TextEncoder().encode("Referral: see images.\n");

async function expand(
  zip: Uint8Array,
  limits: Partial<ArchiveLimits> = {},
): Promise<ArchiveItem[]> {
  const items: ArchiveItem[] = [];
  for await (const item of expandZip(entryFromBytes("in.zip", zip), {
    ...DEFAULT_ARCHIVE_LIMITS,
    ...limits,
  })) {
    items.push(item);
  }
  return items;
}

const members = (items: ArchiveItem[]) =>
  items.flatMap((item) => (item.type === "member" ? [[item.path, item.bytes] as const] : []));
const problems = (items: ArchiveItem[]) =>
  items.flatMap((item) =>
    item.type === "problem" ? [[item.path, item.problem.code] as const] : [],
  );

describe("expandZip unpacks members one at a time", () => {
  it("keeps nested folders in the paths and skips system clutter silently", async () => {
    const zip = zipSync({
      "study/CT/ct.dcm": ct,
      "study/MR/mr.dcm": [mr, { level: 0 }],
      "study/notes.txt": notes,
      "study/.DS_Store": new Uint8Array(8),
      "__MACOSX/study/CT/._ct.dcm": new Uint8Array(8),
      "study/empty folder/": new Uint8Array(0),
    });
    const items = await expand(zip);
    expect(problems(items)).toEqual([]);
    expect(members(items)).toEqual([
      ["in.zip/study/CT/ct.dcm", ct],
      ["in.zip/study/MR/mr.dcm", mr],
      ["in.zip/study/notes.txt", notes],
    ]);
  });

  it("unpacks a ZIP written as a stream (sizes in data descriptors), deflated or stored", async () => {
    for (const deflate of [true, false]) {
      const items = await expand(streamedZip({ "a/ct.dcm": ct, "b/mr.dcm": mr }, deflate));
      expect(members(items)).toEqual([
        ["in.zip/a/ct.dcm", ct],
        ["in.zip/b/mr.dcm", mr],
      ]);
    }
  });

  it("a streamed member whose bytes contain ZIP signatures is not cut short", async () => {
    // Without sizes in the local header, a scanner looking for the next "PK" would stop here.
    const tricky = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 7) & 0xff);
    tricky.set([0x50, 0x4b, 0x07, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 50_000);
    tricky.set([0x50, 0x4b, 0x01, 0x02, 0x50, 0x4b, 0x03, 0x04], 120_000);
    const items = await expand(streamedZip({ "a.bin": tricky, "b.dcm": ct }, false));
    expect(members(items)).toEqual([
      ["in.zip/a.bin", tricky],
      ["in.zip/b.dcm", ct],
    ]);
  });

  it("reads a ZIP64 table of contents (archives past 4 GB or 65,535 members)", async () => {
    const items = await expand(
      toZip64(zipSync({ "a/ct.dcm": ct, "b/mr.dcm": [mr, { level: 0 }] })),
    );
    expect(members(items)).toEqual([
      ["in.zip/a/ct.dcm", ct],
      ["in.zip/b/mr.dcm", mr],
    ]);
  });

  it("does not read ahead of the consumer: one member in hand at a time", async () => {
    const big = (seed: number) =>
      Uint8Array.from({ length: 3_000_000 }, (_, i) => (i * seed) & 0xff);
    const zip = zipSync({ "one.bin": [big(7), { level: 0 }], "two.bin": [big(13), { level: 0 }] });
    const ranges: [number, number][] = [];
    const source = {
      ...entryFromBytes("in.zip", zip),
      read: (start: number, end: number) => {
        ranges.push([start, end]);
        return Promise.resolve(zip.subarray(start, end));
      },
    };
    const iterator = expandZip(source, DEFAULT_ARCHIVE_LIMITS);
    const first = await iterator.next();
    expect(first.value).toMatchObject({ type: "member", path: "in.zip/one.bin" });
    // The second member's data is not read yet (the directory at the end of the file is).
    const middleOfTwo = dataOffset(zip, "two.bin") + 1_500_000;
    expect(ranges.filter(([start, end]) => start <= middleOfTwo && middleOfTwo < end)).toEqual([]);
    await iterator.return(undefined);
  });
});

describe("expandZip refuses zip bombs", () => {
  const zeros = new Uint8Array(8 * 1024 * 1024);

  it("a member packed more than 100 times smaller is refused before anything is unpacked", async () => {
    const items = await expand(zipSync({ "ct.dcm": ct, "bomb.bin": zeros }));
    expect(items).toEqual([
      { type: "problem", path: "in.zip", problem: { code: "archive-bomb", ratio: 100 } },
    ]);
    expect(describeProblem({ code: "archive-bomb", ratio: 100 })).toMatch(/more than 100 times/);
  });

  it("the ratio cap is configurable", async () => {
    const items = await expand(zipSync({ "zeros.bin": zeros }), { maxRatio: 10_000 });
    expect(members(items).map(([path, bytes]) => [path, bytes.length])).toEqual([
      ["in.zip/zeros.bin", zeros.length],
    ]);
  });

  it("an archive that unpacks past the total cap is refused", async () => {
    const items = await expand(zipSync({ "ct.dcm": ct, "mr.dcm": mr }), { maxTotalBytes: 40_000 });
    expect(items).toEqual([
      {
        type: "problem",
        path: "in.zip",
        problem: { code: "archive-too-large", limitBytes: 40_000 },
      },
    ]);
    expect(describeProblem({ code: "archive-too-large", limitBytes: 40_000 })).toMatch(/40 KB/);
  });

  it("a member that inflates past the size it declares stops the archive as damaged", async () => {
    const lying = patchMember(zipSync({ "ct.dcm": ct, "bomb.bin": zeros }), "bomb.bin", {
      size: 1000,
    });
    const items = await expand(lying);
    expect(members(items).map(([path]) => path)).toEqual(["in.zip/ct.dcm"]);
    expect(problems(items)).toEqual([["in.zip", "archive-damaged"]]);
  });
});

describe("expandZip explains members it cannot unpack and goes on with the others", () => {
  const two = () => zipSync({ "secret.dcm": ct, "open.dcm": mr });

  it("a password-protected member (general purpose bit 0)", async () => {
    const items = await expand(patchMember(two(), "secret.dcm", { flags: 1 }));
    expect(problems(items)).toEqual([["in.zip/secret.dcm", "password-protected"]]);
    expect(members(items)).toEqual([["in.zip/open.dcm", mr]]);
  });

  it("an AES-encrypted member (method 99)", async () => {
    const items = await expand(patchMember(two(), "secret.dcm", { flags: 1, method: 99 }));
    expect(problems(items)).toEqual([["in.zip/secret.dcm", "password-protected"]]);
    expect(members(items)).toEqual([["in.zip/open.dcm", mr]]);
  });

  it("a member packed with a method we do not have (LZMA)", async () => {
    const items = await expand(patchMember(two(), "secret.dcm", { method: 14 }));
    expect(items[0]).toEqual({
      type: "problem",
      path: "in.zip/secret.dcm",
      problem: { code: "unsupported-compression", method: "LZMA" },
    });
    expect(members(items)).toEqual([["in.zip/open.dcm", mr]]);
  });

  it("a symbolic link", async () => {
    const items = await expand(patchMember(two(), "secret.dcm", { unixMode: 0o120777 }));
    expect(problems(items)).toEqual([["in.zip/secret.dcm", "link"]]);
  });

  it("a member larger than the per-member cap", async () => {
    const items = await expand(two(), { maxMemberBytes: 20_000 });
    expect(problems(items)).toEqual([["in.zip/secret.dcm", "member-too-large"]]);
    expect(members(items)).toEqual([["in.zip/open.dcm", mr]]);
  });
});

describe("expandZip on damaged archives", () => {
  const zip = zipSync({ "ct.dcm": ct, "mr.dcm": mr });

  it("a cut-off download (no table of contents) is damaged", async () => {
    expect(await expand(zip.subarray(0, zip.length - 30))).toEqual([
      { type: "problem", path: "in.zip", problem: { code: "archive-damaged" } },
    ]);
  });

  it("a flipped byte inside a member damages that member only", async () => {
    const flipped = zip.slice();
    const at = dataOffset(zip, "ct.dcm") + 100;
    flipped[at] = flipped[at]! ^ 0xff;
    const items = await expand(flipped);
    expect(problems(items)).toContainEqual(["in.zip/ct.dcm", "member-damaged"]);
    expect(members(items)).toEqual([["in.zip/mr.dcm", mr]]);
  });

  it("a stored member whose bytes changed fails its checksum", async () => {
    const stored = zipSync({ "ct.dcm": [ct, { level: 0 }] });
    const at = dataOffset(stored, "ct.dcm") + 5000;
    stored[at] = stored[at]! ^ 0x01;
    expect(problems(await expand(stored))).toEqual([["in.zip/ct.dcm", "member-damaged"]]);
  });

  it("garbage after a ZIP signature is damaged; an empty ZIP is explained", async () => {
    const garbage = new Uint8Array(4096).map((_, i) => (i * 31) & 0xff);
    garbage.set([0x50, 0x4b, 0x03, 0x04]);
    expect(problems(await expand(garbage))).toEqual([["in.zip", "archive-damaged"]]);
    expect(problems(await expand(zipSync({})))).toEqual([["in.zip", "archive-empty"]]);
    expect(problems(await expand(zipSync({ "only/": new Uint8Array(0) })))).toEqual([
      ["in.zip", "archive-empty"],
    ]);
  });

  it("one part of a split archive is explained", async () => {
    expect(problems(await expand(markSplit(zip)))).toEqual([["in.zip", "multi-volume"]]);
  });
});
