// Forward cases: each hostile file uploaded whole through the protocol, as a session of its own,
// judged by the worker at complete (worker/dicom/header.ts, durable/verdicts.ts) and, if accepted,
// forwarded to the real Orthanc, whose answer is the last word. Patterns quote the real strings.
import { zipSync } from "fflate";
import type { ForwardCase } from "./case-types";
import { CORPUS_FILES, MADE, corpusName, goodDicom } from "./inputs";
import { rar5Stored } from "./rar-craft";

export const VERDICT: Record<string, RegExp> = {
  not_dicom: /not a DICOM image, so it cannot be sent to the PACS\. Check that you picked/,
  truncated: /incomplete or damaged: it ends before its image data does\. Copy it again/,
  missing_uids: /lacks the identifiers a PACS needs to file it .* Export it again/,
};
const STORED = /^Stored in the PACS\.$/;

/** The worker's verdict on each corpus file, and for accepted ones what Orthanc made of them. */
const CORPUS_WORKER: Record<string, { verdict: string; outcome?: "stored" | "failed" }> = {
  "broken/MR_truncated.dcm": { verdict: "truncated" },
  "broken/no_meta.dcm": { verdict: "not_dicom" },
  "broken/rtplan_truncated.dcm": { verdict: "truncated" },
  "broken/FreezePattern.dcm": { verdict: "accepted", outcome: "failed" },
  "broken/GH1339.dcm": { verdict: "accepted", outcome: "failed" },
  "broken/GH179B.dcm": { verdict: "truncated" },
  // The intake calls it "not DICOM"; the worker reads its header despite the wrong group length,
  // and Orthanc refuses it. FreezePattern, GH1339 and the cut JPEG 2000 file too: the relay reads
  // headers only, the PACS reads everything.
  "broken/GH364.dcm": { verdict: "accepted", outcome: "failed" },
  "broken/GH626.dcm": { verdict: "truncated" },
  "broken/SC_rgb_jpeg.dcm": { verdict: "truncated" },
  "broken/emri_small_jpeg_2k_lossless_too_short.dcm": { verdict: "accepted", outcome: "failed" },
  "edge_cases/hotiron.dcm": { verdict: "missing_uids" },
  "edge_cases/meta_missing_tsyntax.dcm": { verdict: "missing_uids" },
  "edge_cases/GH220.dcm": { verdict: "missing_uids" },
  "edge_cases/GH223.dcm": { verdict: "missing_uids" },
  "edge_cases/GH487.dcm": { verdict: "missing_uids" },
  "edge_cases/UN_sequence.dcm": { verdict: "missing_uids" },
  "edge_cases/empty_charset_LEI.dcm": { verdict: "missing_uids" },
  "edge_cases/no_meta_group_length.dcm": { verdict: "missing_uids" },
  "edge_cases/nested_priv_SQ.dcm": { verdict: "truncated" },
  "edge_cases/JPEG2000-embedded-sequence-delimiter.dcm": { verdict: "accepted", outcome: "stored" },
  "edge_cases/MR_small_padded.dcm": { verdict: "accepted", outcome: "stored" },
  "edge_cases/badVR.dcm": { verdict: "accepted", outcome: "stored" },
  "edge_cases/bad_sequence.dcm": { verdict: "accepted", outcome: "stored" },
  "edge_cases/dx_image.dcm": { verdict: "accepted", outcome: "stored" },
  "edge_cases/explicit_VR-UN.dcm": { verdict: "accepted", outcome: "failed" },
  "edge_cases/invalid-vr-length-test.dcm": { verdict: "accepted", outcome: "stored" },
  "edge_cases/no-meta-length-test.dcm": { verdict: "accepted", outcome: "stored" },
};

/** What the PACS made of a corpus file the relay accepts (the intake runner sends them too). */
export function pacsOutcome(name: string): "stored" | "failed" | undefined {
  return CORPUS_WORKER[name]?.outcome;
}

function expectation(verdict: string, outcome?: "stored" | "failed") {
  if (verdict !== "accepted") return { verdict, message: VERDICT[verdict]! };
  return {
    verdict,
    outcome,
    message:
      outcome === "stored" ? STORED : /^The PACS could not read .*Ask your PACS administrator/,
  };
}

const corpusCases: ForwardCase[] = CORPUS_FILES.map((path) => {
  const name = corpusName(path);
  const expected = CORPUS_WORKER[name];
  if (!expected) throw new Error(`no worker expectation for ${name}`);
  return {
    id: `corpus ${name}`,
    layer: "forward",
    what: `the corpus file ${name}, uploaded as it is`,
    file: (fixtures) => ({ name: path.split("/").at(-1)!, bytes: fixtures(path) }),
    ...expectation(expected.verdict, expected.outcome),
  };
});

const MADE_WORKER: Record<string, string> = {
  "zero-bytes.dcm": "not_dicom",
  "random-noise.dcm": "not_dicom",
  "dicm-then-noise.dcm": "missing_uids",
  "html-page.dcm": "not_dicom",
  "json-error.dcm": "not_dicom",
  "cut-in-preamble.dcm": "not_dicom",
  "cut-in-meta.dcm": "missing_uids",
  "cut-in-half.dcm": "truncated",
  "cut-last-byte.dcm": "truncated",
  "huge-length-in-header.dcm": "truncated",
  "huge-length-pixel-data.dcm": "truncated",
  "huge-length-implicit-vr.dcm": "truncated",
};

const madeCases: ForwardCase[] = Object.entries(MADE_WORKER).map(([name, verdict]) => ({
  id: `made ${name}`,
  layer: "forward",
  what: `made here: ${name}, uploaded as it is`,
  file: () => ({ name, bytes: MADE[name]!() }),
  ...expectation(verdict),
}));

/** Archives sent to the worker as if they were DICOM files (a client that skipped the intake). */
const archiveCases: ForwardCase[] = [
  {
    id: "made a ZIP sent as a file",
    layer: "forward",
    what: "a ZIP of a good image, uploaded unopened",
    file: () => ({ name: "study.zip", bytes: zipSync({ "ct.dcm": goodDicom("rawzip") }) }),
    ...expectation("not_dicom"),
  },
  {
    id: "made a RAR sent as a file",
    layer: "forward",
    what: "a RAR with a ../../ member name, uploaded unopened",
    file: () => ({
      name: "../../etc/passwd.rar",
      bytes: rar5Stored([{ name: "../../etc/passwd", bytes: goodDicom("rawrar") }]),
    }),
    ...expectation("not_dicom"),
  },
];

/** A file the PACS refuses must not take the good image sent in the same upload down with it. */
const besideGoodCases: ForwardCase[] = [
  "gauntlet/broken/GH364.dcm",
  "gauntlet/edge_cases/explicit_VR-UN.dcm",
].map((path) => ({
  id: `beside a good image: ${corpusName(path)}`,
  layer: "forward",
  what: `${corpusName(path)} and a good image in one upload`,
  file: (fixtures) => ({ name: path.split("/").at(-1)!, bytes: fixtures(path) }),
  besideGood: true,
  ...expectation("accepted", "failed"),
}));

export const FORWARD_CASES: ForwardCase[] = [
  ...corpusCases,
  ...madeCases,
  ...archiveCases,
  ...besideGoodCases,
];
