import { describe, expect, it } from "vitest";
import {
  fixtureBytes,
  manifest,
  value,
  type ManifestRow,
} from "../../../tests/fixtures/intake/load";
import { DEFAULT_ARCHIVE_LIMITS, type ArchiveItem, type ArchiveLimits } from "./archive-types";
import { entryFromBytes } from "./entry";
import { expandRar } from "./rar";

async function expand(row: ManifestRow, limits: Partial<ArchiveLimits> = {}) {
  const source = entryFromBytes(row.path, fixtureBytes("archives", row.path));
  const out: string[] = [];
  for await (const item of expandRar(source, { ...DEFAULT_ARCHIVE_LIMITS, ...limits })) {
    out.push(describe_(item));
  }
  return out;
}

function describe_(item: ArchiveItem): string {
  return item.type === "member"
    ? `member ${item.path} ${item.bytes.length}`
    : `problem ${item.path} ${item.problem.code}`;
}

// The MANIFEST records, per archive, what node-unrar-js listed without a password
// ("flags=solid; 2: stest1.txt(2048) stest2.txt(2048,enc)") and what extracting gave
// ("OK a=12 b=0" or "THROWS ERAR_BAD_DATA @b after [a=2048]"). The expected items follow from those.
function listed(row: ManifestRow): { name: string; size: number; encrypted: boolean }[] {
  const listing = value(row, "list_nopw") ?? "";
  // A listing that broke part-way ends "after 1 [stest1.txt(2048)]".
  const files = /\[(.*)\]$/.exec(listing)?.[1] ?? listing.replace(/^[^:]*; \d+: /, "");
  if (files === listing) return [];
  return [...files.matchAll(/\s*([^()]+?)\((\d+)(,enc)?\)/g)]
    .map((m) => ({ name: m[1]!, size: Number(m[2]), encrypted: m[3] !== undefined }))
    .filter((file) => !file.name.endsWith("/"));
}

function extracted(text: string): Map<string, number> {
  return new Map([...text.matchAll(/\s*([^=\s][^=]*?)=(\d+)/g)].map((m) => [m[1]!, Number(m[2])]));
}

function expected(row: ManifestRow): string[] {
  const at = (name: string) => `${row.path}/${name}`;
  const listing = value(row, "list_nopw") ?? "";
  const extraction = value(row, "extract_nopw") ?? "";
  if (listing.includes("volume")) return [`problem ${row.path} multi-volume`];
  if (listing.startsWith("THROWS ERAR_MISSING_PASSWORD")) {
    return [`problem ${row.path} archive-password-protected`];
  }
  const files = listed(row);
  if (files.some((file) => file.encrypted)) {
    return files.map((file) => `problem ${at(file.name)} password-protected`);
  }
  const done = extracted(
    extraction.replace(/^OK /, "").replace(/^THROWS .* after \[(.*)\]$/, "$1"),
  );
  const damaged = /^THROWS ERAR_\w+ @(\S+)/.exec(extraction)?.[1];
  if (extraction.startsWith("THROWS TypeError")) {
    // The symbolic-link quirk: the links (named so) are skipped, the rest unpacked.
    return files.map((f) =>
      f.name.includes("link") ? `problem ${at(f.name)} link` : `member ${at(f.name)} ${f.size}`,
    );
  }
  const items = [...done].map(([name, size]) => {
    const listedSize = files.find((file) => file.name === name)?.size;
    return size === listedSize ? `member ${at(name)} ${size}` : `problem ${at(name)} rar-reference`;
  });
  return damaged ? [...items, `problem ${at(damaged)} member-damaged`] : items;
}

const rows = manifest("archives");

describe("expandRar on every RAR fixture, as its MANIFEST row describes it", () => {
  it("covers v4, v5, solid, folders, encrypted data and headers, split, damaged, quirks", () => {
    const categories = rows.map((row) => value(row, "category") ?? "");
    for (const wanted of ["rar4-plain", "rar5-plain", "rar4-solid", "rar5-solid", "rar5-folders"]) {
      expect(categories).toContain(wanted);
    }
    for (const wanted of ["rar4-enc-data", "rar5-enc-headers", "rar5-multivolume", "corrupt"]) {
      expect(categories.some((c) => c.startsWith(wanted))).toBe(true);
    }
  });

  it.each(rows.map((row) => [row.path, value(row, "category"), row] as const))(
    "%s (%s)",
    async (_path, _category, row) => {
      const items = await expand(row);
      expect(items).toEqual(expected(row));
      expect(items.length).toBeGreaterThan(0);
    },
  );
});

describe("expandRar limits", () => {
  const solid = rows.find((row) => value(row, "category") === "rar5-solid")!;

  it("a RAR larger than the in-memory cap is explained, not read", async () => {
    expect(await expand(solid, { maxRarBytes: 100 })).toEqual([
      `problem ${solid.path} rar-too-large`,
    ]);
  });

  it("a member larger than the per-member cap is skipped with a reason", async () => {
    const items = await expand(solid, { maxMemberBytes: 1000 });
    expect(items).toEqual(
      listed(solid).map((f) => `problem ${solid.path}/${f.name} member-too-large`),
    );
  });

  it("the total cap applies to RAR too", async () => {
    expect(await expand(solid, { maxTotalBytes: 1000 })).toEqual([
      `problem ${solid.path} archive-too-large`,
    ]);
  });
});
