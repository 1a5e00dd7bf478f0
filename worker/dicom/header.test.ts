import { readFileSync } from "node:fs";
import dicomParser from "dicom-parser";
import { deflateSync, inflateSync } from "fflate";
import { describe, expect, it } from "vitest";
import { FIRST_SLICE_BYTES, HEADER_CAP_BYTES, readDicomHeader, type HeaderResult } from "./header";

const FIXTURES = new URL("../../tests/fixtures/dicom/", import.meta.url);
const fixture = (path: string) => new Uint8Array(readFileSync(new URL(path, FIXTURES)));
const [columns = "", ...rows] = readFileSync(new URL("MANIFEST.tsv", FIXTURES), "utf8")
  .trim()
  .split("\n");
const names = columns.split("\t");
const manifest = rows.map((line) => {
  const cells = line.split("\t");
  const field = (name: string) => cells[names.indexOf(name)] ?? "";
  return { path: field("path").replace(/^files\//, ""), field };
});
const dash = (v: string | undefined) => (v === "-" || v === "" ? undefined : v);

/** A range reader over `bytes` (or a longer virtual file of zeros) that records what it was asked. */
function reader(bytes: Uint8Array, size = bytes.length) {
  const calls: Array<[number, number]> = [];
  const read = async (start: number, end: number) => {
    calls.push([start, end]);
    if (start < 0 || end > size || start >= end) throw new Error(`bad range ${start}-${end}`);
    const out = new Uint8Array(end - start);
    out.set(bytes.subarray(start, Math.min(end, bytes.length)));
    return out;
  };
  return { read, calls, total: () => calls.reduce((n, [s, e]) => n + e - s, 0) };
}
const header = (bytes: Uint8Array, size = bytes.length) =>
  readDicomHeader(reader(bytes, size).read, size);
const okHeader = (r: HeaderResult) => {
  if (!r.ok) throw new Error(`expected a header, got ${r.code}`);
  return r.header;
};
const pixelOffset = (bytes: Uint8Array) =>
  dicomParser.parseDicom(bytes, { untilTag: "x7fe00010" }).elements["x7fe00010"]!;

/** One Explicit VR Little Endian element. */
function element(group: number, elem: number, vr: string, value: Uint8Array | number): Uint8Array {
  const length = typeof value === "number" ? value : value.length;
  const long = ["OB", "OW", "SQ", "UN", "UT"].includes(vr);
  const head = new DataView(new ArrayBuffer(long ? 12 : 8));
  head.setUint16(0, group, true);
  head.setUint16(2, elem, true);
  head.setUint8(4, vr.charCodeAt(0));
  head.setUint8(5, vr.charCodeAt(1));
  if (long) head.setUint32(8, length, true);
  else head.setUint16(6, length, true);
  const bytes = new Uint8Array(head.buffer);
  return typeof value === "number" ? bytes : join(bytes, value);
}
function join(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

describe("readDicomHeader on the fixture corpus", () => {
  const wellFormed = manifest.filter((r) =>
    /^(transfer_syntax|charset|multiframe|non_image|no_preamble\/(ExplVR|rtstruct))/.test(r.path),
  );

  it.each(wellFormed.map((r) => [r.path, r] as const))(
    "reads %s with the UIDs and modality the manifest records",
    async (path, row) => {
      const h = okHeader(await header(fixture(path)));
      expect(h.sopInstanceUid).toBe(row.field("sop_instance_uid"));
      expect(h.sopClassUid).toBe(row.field("sop_class_uid"));
      expect(h.studyInstanceUid).toBe(row.field("study_instance_uid"));
      expect(h.seriesInstanceUid).toBe(dash(row.field("series_instance_uid")));
      expect(h.modality).toBe(dash(row.field("modality")));
      expect(h.hasPreamble).toBe(row.field("preamble") === "yes");
      expect(h.isDicomdir).toBe(false);
      if (row.field("transfer_syntax_uid")?.startsWith("1."))
        expect(h.transferSyntaxUid).toBe(row.field("transfer_syntax_uid"));
    },
  );

  it("decodes patient names in ISO_IR 100 (Latin-1), ISO_IR 192 (UTF-8), ISO_IR 144 and ISO 2022 IR 87", async () => {
    for (const name of ["chrFren.dcm", "chrX1.dcm", "chrRuss.dcm", "chrH31.dcm"]) {
      const row = manifest.find((r) => r.path === `charset/${name}`);
      expect(okHeader(await header(fixture(`charset/${name}`))).patientName).toBe(
        row?.field("patient_name_utf8"),
      );
    }
    expect(
      okHeader(await header(fixture("transfer_syntax/explicit_vr_le/CT_small.dcm"))).patientName,
    ).toBe("CompressedSamples^CT1");
  });

  it("guesses the byte order and VR encoding of bare data sets that have no meta header", async () => {
    const syntax = async (path: string) => okHeader(await header(fixture(path))).transferSyntaxUid;
    expect(await syntax("no_preamble/ExplVR_LitEndNoMeta.dcm")).toBe("1.2.840.10008.1.2.1");
    expect(await syntax("no_preamble/ExplVR_BigEndNoMeta.dcm")).toBe("1.2.840.10008.1.2.2");
    expect(await syntax("no_preamble/rtstruct.dcm")).toBe("1.2.840.10008.1.2");
  });

  it("reads a Part 10 file whose meta header starts at byte 0, without preamble and DICM", async () => {
    const full = fixture("transfer_syntax/explicit_vr_le/MR_small.dcm");
    const h = okHeader(await header(full.subarray(132)));
    expect(h).toMatchObject({
      hasPreamble: false,
      sopInstanceUid: okHeader(await header(full)).sopInstanceUid,
      modality: "MR",
    });
    expect(await header(fixture("no_preamble/JLSN_RGB_ILV0.dcm"))).toMatchObject({
      ok: false,
      code: "missing_uids",
    });
  });

  it("reports a DICOMDIR as an index with isDicomdir and no study", async () => {
    const h = okHeader(await header(fixture("dicomdir/pydicom_dicomdirtests/DICOMDIR")));
    expect(h).toMatchObject({
      isDicomdir: true,
      sopClassUid: "1.2.840.10008.1.3.10",
      studyInstanceUid: "",
      hasPreamble: true,
    });
  });

  it("refuses files that lack the study UID or the transfer syntax as missing_uids", async () => {
    expect(await header(fixture("edge_cases/hotiron.dcm"))).toMatchObject({
      ok: false,
      code: "missing_uids",
    });
    expect(await header(fixture("edge_cases/meta_missing_tsyntax.dcm"))).toMatchObject({
      ok: false,
      code: "missing_uids",
    });
  });
});

describe("readDicomHeader on truncated files", () => {
  it("reports the corpus' truncated files as truncated, with advice to copy them again", async () => {
    for (const path of ["broken/MR_truncated.dcm", "broken/rtplan_truncated.dcm"]) {
      const r = await header(fixture(path));
      expect(r).toMatchObject({ ok: false, code: "truncated" });
      expect(!r.ok && r.message).toMatch(/incomplete or damaged.*Copy it again/);
    }
  });

  // Not claimed: a cut exactly between two elements after the UIDs but before Rows (0028,0010)
  // leaves a well-formed, shorter data set that nothing tells apart from a complete one.
  it.each([
    "explicit_vr_le/MR_small.dcm",
    "implicit_vr_le/MR_small_implicit.dcm",
    "explicit_vr_be/MR_small_bigendian.dcm",
  ])(
    "never accepts %s cut inside an element, or anywhere after Rows, before its pixel data ends",
    async (name) => {
      const full = fixture(`transfer_syntax/${name}`);
      const parsed = dicomParser.parseDicom(full, { untilTag: "x7fe00010" });
      const pixel = parsed.elements["x7fe00010"]!;
      const boundaries = new Set(
        Object.values(parsed.elements)
          .filter((e) => e.tag < "x00280010")
          .map((e) => e.dataOffset + e.length),
      );
      for (
        let cut = 1;
        cut < pixel.dataOffset + pixel.length;
        cut += cut < pixel.dataOffset + 16 ? 1 : 97
      ) {
        if (boundaries.has(cut)) continue;
        const r = await header(full.subarray(0, cut));
        if (r.ok) throw new Error(`a cut at ${cut} was accepted`);
        // A cut between two elements before the UIDs looks like a file without them.
        expect(cut < 132 ? ["not_dicom"] : ["truncated", "missing_uids"]).toContain(r.code);
      }
    },
  );

  it("does not call an image without pixel data truncated when its data set goes on past group 0028", async () => {
    const full = fixture("transfer_syntax/explicit_vr_le/MR_small.dcm");
    const beforePixel = full.subarray(0, pixelOffset(full).dataOffset - 12);
    expect(await header(beforePixel)).toMatchObject({ code: "truncated" });
    expect(
      await header(
        join(beforePixel, element(0x0040, 0x0253, "SH", new TextEncoder().encode("PPS1"))),
      ),
    ).toMatchObject({ ok: true });
  });

  it("detects a cut pixel data from its declared length without reading it", async () => {
    const full = fixture("transfer_syntax/explicit_vr_le/MR_small.dcm");
    const pixel = pixelOffset(full);
    const hundredMb = 100 * 1024 * 1024;
    const patched = full.slice(0, pixel.dataOffset);
    new DataView(patched.buffer).setUint32(pixel.dataOffset - 4, hundredMb, true);
    const cut = reader(patched, pixel.dataOffset + hundredMb - 1);
    expect(await readDicomHeader(cut.read, pixel.dataOffset + hundredMb - 1)).toMatchObject({
      code: "truncated",
    });
    const whole = reader(patched, pixel.dataOffset + hundredMb);
    expect(await readDicomHeader(whole.read, pixel.dataOffset + hundredMb)).toMatchObject({
      ok: true,
    });
    expect(whole.total()).toBe(FIRST_SLICE_BYTES);
  });

  it("reports a deflated file whose stream is cut short as truncated", async () => {
    const full = fixture("transfer_syntax/deflated/image_dfl.dcm");
    expect(await header(full.subarray(0, full.length - 20))).toMatchObject({ code: "truncated" });
    expect(await header(full.subarray(0, 1000))).toMatchObject({ code: "truncated" });
  });

  it("reports a file shorter than its stated size as truncated", async () => {
    const full = fixture("transfer_syntax/explicit_vr_le/CT_small.dcm");
    expect(
      await readDicomHeader(async (s, e) => full.subarray(s, Math.min(e, 1000)), full.length),
    ).toMatchObject({ code: "truncated" });
  });
});

describe("readDicomHeader on files that are not DICOM", () => {
  const random = (n: number, seed = 7) =>
    Uint8Array.from({ length: n }, (_, i) => (Math.imul(i + seed, 2654435761) >>> 13) & 0xff);

  it.each([
    ["an empty file", new Uint8Array(0)],
    ["a file of zeros", new Uint8Array(4096)],
    ["random bytes", random(100_000)],
    ["a PDF", new TextEncoder().encode("%PDF-1.7\n".repeat(300))],
    ["a JPEG photo", join(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]), random(5000))],
  ])("says %s is not a DICOM image, in words a clinician can act on", async (_, bytes) => {
    const r = await header(bytes);
    expect(r).toEqual({
      ok: false,
      code: "not_dicom",
      message: expect.stringMatching(/not a DICOM image.*right file/),
    });
  });

  it("says a data set cut at a wrong offset (the corpus' no_meta.dcm) is not DICOM", async () => {
    expect(await header(fixture("broken/no_meta.dcm"))).toMatchObject({ code: "not_dicom" });
  });

  it("never throws, whatever bytes it is given", async () => {
    const base = fixture("transfer_syntax/explicit_vr_le/MR_small.dcm");
    for (let seed = 0; seed < 300; seed++) {
      const bytes = base.slice(0, 1600);
      const noise = random(8, seed);
      for (let k = 0; k < 8; k++)
        bytes[(noise[k]! * 7 + seed * 13) % bytes.length] = noise[(k + 1) % 8]!;
      await expect(header(bytes)).resolves.toHaveProperty("ok");
    }
  });

  it("passes on a storage error from the reader instead of judging the file", async () => {
    await expect(
      readDicomHeader(() => Promise.reject(new Error("R2 unavailable")), 1000),
    ).rejects.toThrow("R2 unavailable");
  });
});

describe("readDicomHeader reads as little as it can", () => {
  const mr = fixture("transfer_syntax/explicit_vr_le/MR_small.dcm");
  /** MR_small with a private element of `extra` bytes inserted before its pixel data. */
  function withLongHeader(extra: number) {
    const pixel = pixelOffset(mr);
    const start = pixel.dataOffset - 12;
    const creator = element(0x0029, 0x0010, "LO", new TextEncoder().encode("RELAYPACS "));
    const head = join(mr.subarray(0, start), creator, element(0x0029, 0x1010, "OB", extra));
    const tail = mr.subarray(start);
    const bytes = new Uint8Array(head.length + extra + tail.length);
    bytes.set(head);
    bytes.set(tail, head.length + extra);
    return bytes;
  }

  it("grows the slice when the header is longer than the first slice, reading each byte once", async () => {
    const file = withLongHeader(200_000);
    const size = file.length + 1_000_000; // zeros after the pixel data
    const r = reader(file, size);
    expect(okHeader(await readDicomHeader(r.read, size)).modality).toBe("MR");
    expect(r.calls.every(([s], i) => s === (r.calls[i - 1]?.[1] ?? 0))).toBe(true);
    // Doubling from 16 KiB: 256 KiB is the first slice that reaches past ~200 KB of header.
    expect(r.total()).toBe(16 * FIRST_SLICE_BYTES);
  });

  it("never asks the reader for more than the cap, and judges on the UIDs it found by then", async () => {
    const file = withLongHeader(10 * 1024 * 1024);
    const r = reader(file);
    expect(okHeader(await readDicomHeader(r.read, file.length)).sopClassUid).toBe(
      "1.2.840.10008.5.1.4.1.1.4",
    );
    expect(r.total()).toBeLessThanOrEqual(HEADER_CAP_BYTES);
    expect(Math.max(...r.calls.map(([, e]) => e))).toBeLessThanOrEqual(HEADER_CAP_BYTES);
  });

  /** image_dfl.dcm's meta header and inflated data set, to build other deflated files from. */
  function deflatedParts() {
    const dfl = fixture("transfer_syntax/deflated/image_dfl.dcm");
    const metaEnd = 144 + new DataView(dfl.buffer, dfl.byteOffset).getUint32(140, true);
    const data = inflateSync(dfl.subarray(metaEnd));
    const pixelAt = data.findIndex(
      (_, i) =>
        data[i] === 0xe0 && data[i + 1] === 0x7f && data[i + 2] === 0x10 && data[i + 3] === 0,
    );
    return {
      meta: dfl.subarray(0, metaEnd),
      before: data.subarray(0, pixelAt),
      pixel: data.subarray(pixelAt),
    };
  }

  it("reads the header of a large deflated file from the start of its stream only", async () => {
    const { meta, before, pixel } = deflatedParts();
    // 2 MB of incompressible bytes after the pixel data make the stream far longer than a slice.
    const noise = Uint8Array.from(
      { length: 2_000_000 },
      (_, i) => (Math.imul(i, 2654435761) >>> 11) & 0xff,
    );
    const big = join(meta, deflateSync(join(before, pixel, element(0x0029, 0x1010, "OB", noise))));
    const r = reader(big);
    expect(okHeader(await readDicomHeader(r.read, big.length)).transferSyntaxUid).toBe(
      "1.2.840.10008.1.2.1.99",
    );
    expect(r.total()).toBeLessThanOrEqual(FIRST_SLICE_BYTES);
  });

  it("inflates a deflate bomb only up to its cap, and does not mistake that cut for a truncated file", async () => {
    const { meta, before, pixel } = deflatedParts();
    const bomb = new Uint8Array(24 * 1024 * 1024); // deflates to about 24 KB, inflates past the 16 MiB cap
    const file = join(meta, deflateSync(join(before, element(0x0029, 0x1010, "OB", bomb), pixel)));
    expect(okHeader(await header(file)).modality).toBe("OT");
  });
});
