import { gzipSync, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import {
  fixtureBytes,
  manifest,
  value,
  type FixtureDir,
  type ManifestRow,
} from "../../../tests/fixtures/intake/load";
import { DETECT_BYTES, detectFormat } from "./detect";

const head = (bytes: Uint8Array) => bytes.subarray(0, DETECT_BYTES);

const corpus: [FixtureDir, ManifestRow][] = [
  ...manifest("root").map((row): [FixtureDir, ManifestRow] => ["root", row]),
  ...manifest("intake").map((row): [FixtureDir, ManifestRow] => ["intake", row]),
];

describe("detectFormat tells DICOM by content, for every corpus category", () => {
  const readable = corpus.filter(([, row]) => value(row, "dcmdump_rc") === "0");

  it("covers every category of the fixtures present", () => {
    const categories = new Set(
      readable.map(([, row]) => (value(row, "category") ?? "").split("/")[0]),
    );
    expect([...categories].sort()).toEqual(
      expect.arrayContaining([
        "charset",
        "dicomdir",
        "edge_cases",
        "multiframe",
        "no_preamble",
        "non_image",
        "secondary_capture",
        "study",
        "transfer_syntax",
      ]),
    );
  });

  it.each(readable.map(([dir, row]) => [row.path, dir, row] as const))("%s", (_path, dir, row) => {
    const isDicomdir =
      (value(row, "category") ?? "").startsWith("dicomdir") && !value(row, "sop_instance_uid");
    expect(detectFormat(head(fixtureBytes(dir, row.path)))).toEqual({
      kind: isDicomdir ? "dicomdir" : "dicom",
    });
  });

  it("a DICOM file named like a photo is still DICOM; a photo named .dcm is still a photo", () => {
    // Detection never sees names: only bytes.
    const ct = fixtureBytes("root", "transfer_syntax/explicit_vr_le/CT_small.dcm");
    expect(detectFormat(head(ct)).kind).toBe("dicom");
    expect(detectFormat(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46])).kind).toBe(
      "jpeg",
    );
  });
});

describe("detectFormat tells archives and images by signature", () => {
  it("RAR 4 and RAR 5, as the archive MANIFEST lists them", () => {
    for (const row of manifest("archives")) {
      const version = (value(row, "format") ?? "").startsWith("RAR5") ? 5 : 4;
      expect(detectFormat(fixtureBytes("archives", row.path)), row.path).toEqual({
        kind: "rar",
        version,
      });
    }
  });

  it("ZIP, including an empty one", () => {
    expect(detectFormat(zipSync({ "a.txt": new Uint8Array([1, 2, 3]) }))).toEqual({ kind: "zip" });
    expect(detectFormat(zipSync({}))).toEqual({ kind: "zip" });
  });

  it("PNG, and archives we cannot open", () => {
    const png = [
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
    ];
    expect(detectFormat(new Uint8Array(png))).toEqual({ kind: "png" });
    expect(detectFormat(gzipSync(new Uint8Array(100)))).toEqual({
      kind: "other-archive",
      name: "gzip",
    });
    const sevenZip = new Uint8Array([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4]);
    expect(detectFormat(sevenZip)).toEqual({ kind: "other-archive", name: "7-Zip" });
  });

  it("anything else is unknown: text, PDF, zeros, nothing", () => {
    const text = new TextEncoder().encode("Patient notes: see attached scan.\n".repeat(20));
    expect(detectFormat(text).kind).toBe("unknown");
    expect(detectFormat(new TextEncoder().encode("%PDF-1.7\n%âãÏÓ\n")).kind).toBe("unknown");
    expect(detectFormat(new Uint8Array(4096)).kind).toBe("unknown");
    expect(detectFormat(new Uint8Array(0)).kind).toBe("unknown");
  });
});
