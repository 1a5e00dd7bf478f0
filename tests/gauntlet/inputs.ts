// The hostile files themselves, shared by the intake cases (picked in Chromium) and the forward
// cases (uploaded through the protocol, judged at complete): the corpus's broken/ and edge_cases/
// files, and files made here. Runtime-agnostic: fixtures come through a loader the runner gives.
import { craftDicom, newStudyIds, type Lie } from "./dicom-craft";

/** Reads a fixture; paths are relative to tests/fixtures ("dicom/...", "gauntlet/...") or, with
 * "archives/", to web/tests/fixtures/archives (the RAR fixtures; Node runners only). */
export type Fixtures = (path: string) => Uint8Array<ArrayBuffer>;

export interface PickedFile {
  name: string;
  bytes: Uint8Array<ArrayBuffer>;
}

/**
 * Every file of the corpus's broken/ and edge_cases/ folders: the five tests/fixtures/dicom
 * already held, the rest copied into tests/fixtures/gauntlet (see its SOURCES.md).
 */
export const CORPUS_FILES: readonly string[] = [
  "dicom/broken/MR_truncated.dcm",
  "dicom/broken/no_meta.dcm",
  "dicom/broken/rtplan_truncated.dcm",
  "gauntlet/broken/FreezePattern.dcm",
  "gauntlet/broken/GH1339.dcm",
  "gauntlet/broken/GH179B.dcm",
  "gauntlet/broken/GH364.dcm",
  "gauntlet/broken/GH626.dcm",
  "gauntlet/broken/SC_rgb_jpeg.dcm",
  "gauntlet/broken/emri_small_jpeg_2k_lossless_too_short.dcm",
  "dicom/edge_cases/hotiron.dcm",
  "dicom/edge_cases/meta_missing_tsyntax.dcm",
  "gauntlet/edge_cases/GH220.dcm",
  "gauntlet/edge_cases/GH223.dcm",
  "gauntlet/edge_cases/GH487.dcm",
  "gauntlet/edge_cases/JPEG2000-embedded-sequence-delimiter.dcm",
  "gauntlet/edge_cases/MR_small_padded.dcm",
  "gauntlet/edge_cases/UN_sequence.dcm",
  "gauntlet/edge_cases/badVR.dcm",
  "gauntlet/edge_cases/bad_sequence.dcm",
  "gauntlet/edge_cases/dx_image.dcm",
  "gauntlet/edge_cases/empty_charset_LEI.dcm",
  "gauntlet/edge_cases/explicit_VR-UN.dcm",
  "gauntlet/edge_cases/invalid-vr-length-test.dcm",
  "gauntlet/edge_cases/nested_priv_SQ.dcm",
  "gauntlet/edge_cases/no-meta-length-test.dcm",
  "gauntlet/edge_cases/no_meta_group_length.dcm",
];

/** "broken/GH364.dcm" for "gauntlet/broken/GH364.dcm": the corpus's own name. */
export const corpusName = (path: string) => path.split("/").slice(1).join("/");

/** Deterministic noise: the same "random" bytes on every run. */
export function noise(length: number, seed = 7): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const ascii = (s: string): Uint8Array<ArrayBuffer> => new Uint8Array(new TextEncoder().encode(s));

/** A valid, small CT image of a study of its own (fresh UIDs on every call). */
export function goodDicom(label: string, lie: Lie = "none"): Uint8Array<ArrayBuffer> {
  return craftDicom(newStudyIds(label), 1, lie).bytes;
}

/** Files made here, by name: the same builders serve the intake and the worker. */
export const MADE: Record<string, () => Uint8Array<ArrayBuffer>> = {
  "zero-bytes.dcm": () => new Uint8Array(0),
  "random-noise.dcm": () => noise(64 * 1024),
  "dicm-then-noise.dcm": () => concatBytes(new Uint8Array(128), ascii("DICM"), noise(4096, 11)),
  "html-page.dcm": () =>
    ascii("<!doctype html><html><body><h1>502 Bad Gateway</h1></body></html>\n"),
  "json-error.dcm": () => ascii('{"error":"Internal Server Error","trace":"at x (y.js:1:2)"}'),
  "cut-in-preamble.dcm": () => goodDicom("cutpre").slice(0, 100),
  "cut-in-meta.dcm": () => goodDicom("cutmeta").slice(0, 200),
  "cut-in-half.dcm": () => {
    const whole = goodDicom("cuthalf");
    return whole.slice(0, Math.floor(whole.length / 2));
  },
  "cut-last-byte.dcm": () => {
    const whole = goodDicom("cutlast");
    return whole.slice(0, whole.length - 1);
  },
  "huge-length-in-header.dcm": () => goodDicom("hugehead", "header-element"),
  "huge-length-pixel-data.dcm": () => goodDicom("hugepix", "pixel-data"),
  "huge-length-implicit-vr.dcm": () => goodDicom("hugeimpl", "implicit-header-element"),
};
