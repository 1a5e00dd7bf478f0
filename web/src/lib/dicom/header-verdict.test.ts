import { describe, expect, it } from "vitest";
import {
  fixtureBytes,
  manifest,
  value,
  type FixtureDir,
  type ManifestRow,
} from "../../../tests/fixtures/intake/load";
import { judgeHeader, readDicomHeader, type HeaderVerdict } from "./header-verdict";

const reader = (bytes: Uint8Array) => (start: number, end: number) =>
  Promise.resolve(bytes.subarray(start, end));

async function verdictOf(dir: FixtureDir, row: ManifestRow): Promise<HeaderVerdict> {
  const bytes = fixtureBytes(dir, row.path);
  return readDicomHeader(reader(bytes), bytes.length);
}

// The corpus rows whose files are here: the project's root fixtures and the intake's copies.
const rows: [FixtureDir, ManifestRow][] = [
  ...manifest("root").map((row): [FixtureDir, ManifestRow] => ["root", row]),
  ...manifest("intake").map((row): [FixtureDir, ManifestRow] => ["intake", row]),
];
const readable = rows.filter(([, row]) => value(row, "dcmdump_rc") === "0");

describe("readDicomHeader on every corpus file dcmdump reads", () => {
  it.each(readable.map(([dir, row]) => [row.path, dir, row] as const))(
    "%s",
    async (_path, dir, row) => {
      const verdict = await verdictOf(dir, row);
      expect(verdict.kind).toBe("dicom");
      if (verdict.kind !== "dicom") return;
      expect(verdict.isDicomdir).toBe(
        (value(row, "category") ?? "").startsWith("dicomdir") && !value(row, "sop_instance_uid"),
      );
      const h = verdict.header;
      expect(h.sopInstanceUid).toBe(value(row, "sop_instance_uid") ?? h.sopInstanceUid);
      expect(h.studyInstanceUid).toBe(value(row, "study_instance_uid") ?? "");
      expect(h.seriesInstanceUid).toBe(value(row, "series_instance_uid") ?? "");
      expect(h.modality).toBe(value(row, "modality") ?? "");
      if (!verdict.isDicomdir) expect(h.patientName).toBe(value(row, "patient_name_utf8") ?? "");
      const frames = value(row, "number_of_frames");
      expect(h.numberOfFrames).toBe(frames && /^\d+$/.test(frames) ? Number(frames) : undefined);
      const syntax = value(row, "transfer_syntax_uid") ?? "";
      if (!syntax.startsWith("(")) expect(h.transferSyntaxUid).toBe(syntax);
    },
  );
});

describe("readDicomHeader reads numbers and declared counts as dcmdump does", () => {
  const dumped = manifest("intake", "DCMDUMP.tsv").filter((row) => value(row, "sop_instance_uid"));
  const number = (row: ManifestRow, column: string) => {
    const v = value(row, column);
    return v === undefined ? undefined : Number(v);
  };

  it.each(dumped.map((row) => [row.path, row] as const))("%s", async (_path, row) => {
    const verdict = await verdictOf("intake", row);
    expect(verdict.kind === "dicom" && verdict.header).toMatchObject({
      seriesNumber: number(row, "series_number"),
      instanceNumber: number(row, "instance_number"),
      acquisitionNumber: number(row, "acquisition_number"),
      imagesInAcquisition: number(row, "images_in_acquisition"),
      seriesRelatedInstances: number(row, "series_related_instances"),
      patientId: value(row, "patient_id") ?? "",
    });
  });
});

describe("readDicomHeader on files dcmdump rejects or that are not DICOM", () => {
  it.each(
    rows
      .filter(([, row]) => value(row, "dcmdump_rc") !== "0")
      .map(([dir, row]) => [row.path, dir, row] as const),
  )("%s is not accepted as a readable DICOM file", async (_path, dir, row) => {
    expect((await verdictOf(dir, row)).kind).not.toBe("dicom");
  });

  it("a file whose pixel data is cut short is damaged, not DICOM to send", async () => {
    const bytes = fixtureBytes("root", "broken/MR_truncated.dcm");
    expect(await readDicomHeader(reader(bytes), bytes.length)).toEqual({
      kind: "damaged",
      problem: "cut-short",
    });
  });

  it("storage holding fewer bytes than the file's size is a cut-short file", async () => {
    const bytes = fixtureBytes("root", "transfer_syntax/explicit_vr_le/CT_small.dcm");
    const verdict = await readDicomHeader(reader(bytes.subarray(0, 1000)), bytes.length);
    expect(verdict).toEqual({ kind: "damaged", problem: "cut-short" });
  });

  it("text, zeros and an empty file are not DICOM", async () => {
    const text = new TextEncoder().encode("Patient notes: see attached scan.\n".repeat(20));
    expect((await readDicomHeader(reader(text), text.length)).kind).toBe("not-dicom");
    expect((await readDicomHeader(reader(new Uint8Array(300)), 300)).kind).toBe("not-dicom");
    expect((await readDicomHeader(reader(new Uint8Array(0)), 0)).kind).toBe("not-dicom");
  });
});

/** A copy of a DICOM file with `extra` more bytes of (zero) pixel data: a large file. */
function withBiggerPixelData(bytes: Uint8Array, extra: number): Uint8Array {
  const pixelLengthAt = 6300 - 4; // CT_small: pixel data value at 6300 (explicit VR, 4-byte length)
  const out = new Uint8Array(bytes.length + extra);
  out.set(bytes);
  const view = new DataView(out.buffer);
  view.setUint32(pixelLengthAt, view.getUint32(pixelLengthAt, true) + extra, true);
  return out;
}

describe("readDicomHeader reads a slice, never the whole file", () => {
  const ct = fixtureBytes("root", "transfer_syntax/explicit_vr_le/CT_small.dcm");
  const big = withBiggerPixelData(ct, 50 * 1024 * 1024);

  function spy(bytes: Uint8Array) {
    const ranges: [number, number][] = [];
    const read = (start: number, end: number) => {
      ranges.push([start, end]);
      return Promise.resolve(bytes.subarray(start, end));
    };
    return { ranges, read };
  }

  it("a 50 MB file is judged from its first 16 KiB", async () => {
    const { ranges, read } = spy(big);
    const verdict = await readDicomHeader(read, big.length);
    expect(verdict.kind === "dicom" && verdict.header.modality).toBe(
      value(manifest("root")[0]!, "modality"),
    );
    expect(ranges).toEqual([[0, 16 * 1024]]);
  });

  it("a header longer than the first slice is read by growing the slice, in order", async () => {
    const { ranges, read } = spy(big);
    const verdict = await readDicomHeader(read, big.length, big.subarray(0, 512));
    expect(verdict.kind).toBe("dicom");
    expect(ranges[0]?.[0]).toBe(512);
    ranges.forEach(([start], i) => i > 0 && expect(start).toBe(ranges[i - 1]![1]));
    expect(Math.max(...ranges.map(([, end]) => end))).toBeLessThan(big.length / 100);
  });

  it("a pixel data element longer than the file is caught without reading the pixels", async () => {
    const cut = big.subarray(0, 6300 + 1024 * 1024); // ends 1 MiB into the pixel data
    const { ranges, read } = spy(cut);
    expect(await readDicomHeader(read, cut.length)).toEqual({
      kind: "damaged",
      problem: "cut-short",
    });
    expect(Math.max(...ranges.map(([, end]) => end))).toBe(16 * 1024);
  });

  it("judgeHeader asks for more bytes while the identifying fields are not all in", () => {
    expect(judgeHeader(ct.subarray(0, 600), ct.length)).toBe("need-more");
    expect(judgeHeader(ct.subarray(0, 600), ct.length, true)).toMatchObject({ kind: "dicom" });
  });
});
