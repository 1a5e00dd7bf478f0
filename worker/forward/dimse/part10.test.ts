import { describe, expect, it } from "vitest";
import { readU32le } from "./bytes";
import { EXPLICIT_VR_BE, EXPLICIT_VR_LE, IMPLICIT_VR_LE, readInstanceInfo } from "./part10";
import { fixtureBytes, manifest } from "./test-support/sources";

const rows = manifest();
const row = (suffix: string) => {
  const found = rows.find((r) => r.path.endsWith(suffix));
  if (!found) throw new Error(`no MANIFEST row for ${suffix}`);
  return found;
};

describe("reading what C-STORE needs from a Part 10 file", () => {
  const withMeta = rows.filter(
    (r) =>
      r.transferSyntaxUid.startsWith("1.2.840") &&
      r.sopInstanceUid !== "-" &&
      !r.path.startsWith("broken/"),
  );

  it("finds the fixtures with a file meta", () => {
    expect(withMeta.length).toBeGreaterThanOrEqual(10);
  });

  for (const r of withMeta) {
    it(`${r.path}: UIDs and transfer syntax match the MANIFEST`, () => {
      const bytes = fixtureBytes(r.path);
      const result = readInstanceInfo(bytes, bytes.length);
      expect(result).toMatchObject({
        kind: "ok",
        info: {
          sopClassUid: r.sopClassUid,
          sopInstanceUid: r.sopInstanceUid,
          transferSyntaxUid: r.transferSyntaxUid,
        },
      });
    });
  }

  it("the data set starts right after the group 0002 the group length announces", () => {
    const bytes = fixtureBytes(row("CT_small.dcm").path);
    const result = readInstanceInfo(bytes, bytes.length);
    // (0002,0000) UL at offset 132: tag(4) VR(2) length(2) value(4); the value counts what follows.
    expect(result.kind === "ok" && result.info.dataSetOffset).toBe(
      132 + 12 + readU32le(bytes, 140),
    );
  });

  it("a file meta without preamble is read up to the first non-0002 tag", () => {
    const full = fixtureBytes(row("CT_small.dcm").path);
    const withPreamble = readInstanceInfo(full, full.length);
    const bytes = full.subarray(132);
    const result = readInstanceInfo(bytes, bytes.length);
    expect(withPreamble.kind).toBe("ok");
    if (withPreamble.kind !== "ok") return;
    expect(result).toEqual({
      kind: "ok",
      info: { ...withPreamble.info, dataSetOffset: withPreamble.info.dataSetOffset - 132 },
    });
  });

  it("a file meta without group length and a data set without SOP Instance UID is refused (missing_uids)", () => {
    const bytes = fixtureBytes("no_preamble/JLSN_RGB_ILV0.dcm");
    expect(readInstanceInfo(bytes, bytes.length)).toEqual({
      kind: "invalid",
      problem: "missing_uids",
    });
  });

  it("the data set's SOP Instance UID wins over a disagreeing file meta copy", () => {
    const bytes = fixtureBytes("multiframe/rtdose.dcm");
    const meta = new TextDecoder().decode(bytes.subarray(0, 400));
    expect(meta).toContain("1.2.999.999.99.9.9999.9999.20030818153516"); // the file meta's copy
    expect(readInstanceInfo(bytes, bytes.length)).toMatchObject({
      info: { sopInstanceUid: row("rtdose.dcm").sopInstanceUid },
    });
  });

  for (const [file, syntax] of [
    ["no_preamble/ExplVR_LitEndNoMeta.dcm", EXPLICIT_VR_LE],
    ["no_preamble/ExplVR_BigEndNoMeta.dcm", EXPLICIT_VR_BE],
    ["no_preamble/rtstruct.dcm", IMPLICIT_VR_LE],
  ] as const) {
    it(`a bare data set (${file}) is sent whole, its encoding told by its first bytes`, () => {
      const bytes = fixtureBytes(file);
      const r = row(file);
      expect(readInstanceInfo(bytes, bytes.length)).toEqual({
        kind: "ok",
        info: {
          sopClassUid: r.sopClassUid,
          sopInstanceUid: r.sopInstanceUid,
          transferSyntaxUid: syntax,
          dataSetOffset: 0,
        },
      });
    });
  }

  it("a file meta without transfer syntax is refused with that problem", () => {
    const bytes = fixtureBytes("edge_cases/meta_missing_tsyntax.dcm");
    expect(readInstanceInfo(bytes, bytes.length)).toEqual({
      kind: "invalid",
      problem: "missing_transfer_syntax",
    });
  });

  it("bytes that are not DICOM are refused", () => {
    const text = new TextEncoder().encode(
      "%PDF-1.7 this is not a DICOM file at all, not even close......".repeat(4),
    );
    expect(readInstanceInfo(text, text.length)).toEqual({ kind: "invalid", problem: "not_dicom" });
  });

  for (const file of [
    "MR_small.dcm",
    "MR_small_implicit.dcm",
    "MR_small_bigendian.dcm",
    "no_preamble/rtstruct.dcm",
  ]) {
    it(`${file}: asks for more bytes until (0008,0018) is in, then answers as for the whole file`, () => {
      const bytes = fixtureBytes(row(file).path);
      const whole = readInstanceInfo(bytes, bytes.length);
      let firstAnswer = -1;
      for (let n = 0; n <= bytes.length && firstAnswer < 0; n++) {
        if (readInstanceInfo(bytes.subarray(0, n), bytes.length).kind !== "need_more")
          firstAnswer = n;
      }
      expect(firstAnswer).toBeGreaterThan(whole.kind === "ok" ? whole.info.dataSetOffset : 0);
      expect(readInstanceInfo(bytes.subarray(0, firstAnswer), bytes.length)).toEqual(whole);
      const uid = whole.kind === "ok" ? whole.info.sopInstanceUid : "?";
      expect(new TextDecoder().decode(bytes.subarray(0, firstAnswer))).toContain(uid);
    });
  }

  it("a file that ends inside its file meta is not DICOM (nothing more will come)", () => {
    const bytes = fixtureBytes(row("CT_small.dcm").path).subarray(0, 200);
    expect(readInstanceInfo(bytes, bytes.length)).toEqual({
      kind: "invalid",
      problem: "not_dicom",
    });
  });
});
