// Intake cases: files picked in the browser. Every corpus broken/ and edge_cases/ file, files made
// here (empty, noise, cut, lying lengths), zip bombs, path-traversal names in ZIP and RAR, and
// encrypted, split or damaged archives. The reason patterns quote web/src/lib/intake/problems.ts.
import { patchMember, zipSync } from "../../web/tests/fixtures/intake/zip-craft";
import type { IntakeCase } from "./case-types";
import { pacsOutcome } from "./cases-forward";
import { CORPUS_FILES, MADE, concatBytes, corpusName, goodDicom, noise } from "./inputs";
import { rar5Stored } from "./rar-craft";

/** The sentence each refusal code shows, as a pattern on problems.ts's wording. */
export const REASON: Record<string, RegExp> = {
  "not-an-image": /not an image we can send \(it is not a DICOM file\)/,
  empty: /This file is empty \(0 bytes\)/,
  "dicom-cut-short": /DICOM file is incomplete or damaged: it ends before its data does/,
  "dicom-without-ids": /has no study or image identifier, so a PACS cannot file it/,
  "other-archive": /archive, which this app cannot open/,
  "archive-damaged": /This archive is damaged or incomplete/,
  "member-damaged": /damaged inside its archive \(its checksum does not match\)/,
  "archive-bomb": /as a "zip bomb" does, so it was not opened/,
  "archive-too-large": /would unpack to more than .* so it was not opened/,
  "archive-nested-too-deep": /inside another archive inside an archive/,
  "password-protected": /password-protected inside its archive/,
  "archive-password-protected": /This archive is password-protected/,
  "multi-volume": /split into several parts/,
  "unsupported-compression": /packed with a method this app cannot unpack/,
  link: /link to another file/,
  "rar-reference": /reference to another file/,
};

/** What the intake makes of each corpus file: a refusal code, or "sends" (read and sent on). */
const CORPUS_INTAKE: Record<string, string> = {
  "broken/MR_truncated.dcm": "dicom-cut-short",
  "broken/no_meta.dcm": "not-an-image",
  "broken/rtplan_truncated.dcm": "dicom-cut-short",
  // dcmdump rejects these four, but their headers are whole: the PACS has the last word.
  "broken/FreezePattern.dcm": "sends",
  "broken/GH1339.dcm": "sends",
  "broken/emri_small_jpeg_2k_lossless_too_short.dcm": "sends",
  "broken/GH364.dcm": "not-an-image",
  "broken/GH179B.dcm": "dicom-cut-short",
  "broken/GH626.dcm": "dicom-cut-short",
  "broken/SC_rgb_jpeg.dcm": "dicom-cut-short",
  "edge_cases/hotiron.dcm": "dicom-without-ids",
  "edge_cases/meta_missing_tsyntax.dcm": "dicom-without-ids",
  "edge_cases/GH220.dcm": "dicom-without-ids",
  "edge_cases/GH223.dcm": "dicom-without-ids",
  "edge_cases/GH487.dcm": "dicom-without-ids",
  "edge_cases/UN_sequence.dcm": "dicom-without-ids",
  "edge_cases/empty_charset_LEI.dcm": "dicom-without-ids",
  "edge_cases/no_meta_group_length.dcm": "dicom-without-ids",
  "edge_cases/nested_priv_SQ.dcm": "dicom-cut-short",
  "edge_cases/JPEG2000-embedded-sequence-delimiter.dcm": "sends",
  "edge_cases/MR_small_padded.dcm": "sends",
  "edge_cases/badVR.dcm": "sends",
  "edge_cases/bad_sequence.dcm": "sends",
  "edge_cases/dx_image.dcm": "sends",
  "edge_cases/explicit_VR-UN.dcm": "sends",
  "edge_cases/invalid-vr-length-test.dcm": "sends",
  "edge_cases/no-meta-length-test.dcm": "sends",
};

/** The result line after sending, when the PACS stores everything sent. */
const DELIVERED = (n: number) => new RegExp(`Received by PACS: ${n} of ${n}`);

/** A case the intake refuses whole: `at` is the path listed (the file, or a member of it). */
function refusal(
  id: string,
  what: string,
  name: string,
  code: string,
  make: () => Uint8Array,
  at = name,
): IntakeCase {
  return {
    id,
    layer: "intake",
    what,
    file: () => ({ name, bytes: new Uint8Array(make()) }),
    refused: { [at]: code },
    sends: 0,
    message: REASON[code]!,
  };
}

const corpusCases: IntakeCase[] = CORPUS_FILES.map((path) => {
  const name = corpusName(path);
  const expected = CORPUS_INTAKE[name];
  if (!expected) throw new Error(`no intake expectation for ${name}`);
  const base = path.split("/").at(-1)!;
  const sends = expected === "sends";
  return {
    id: `corpus ${name}`,
    layer: "intake",
    what: `the corpus file ${name}`,
    file: (fixtures) => ({ name: base, bytes: fixtures(path) }),
    refused: sends ? {} : { [base]: expected },
    sends: sends ? 1 : 0,
    message: !sends
      ? REASON[expected]!
      : pacsOutcome(name) === "stored"
        ? DELIVERED(1)
        : /Received by PACS: 0 of 1[\s\S]*The PACS could not read .*Ask your PACS administrator/,
  };
});

const MADE_INTAKE: Record<string, string> = {
  "zero-bytes.dcm": "empty",
  "random-noise.dcm": "not-an-image",
  "dicm-then-noise.dcm": "dicom-cut-short",
  "html-page.dcm": "not-an-image",
  "json-error.dcm": "not-an-image",
  "cut-in-preamble.dcm": "not-an-image",
  "cut-in-meta.dcm": "dicom-without-ids",
  "cut-in-half.dcm": "dicom-cut-short",
  "cut-last-byte.dcm": "dicom-cut-short",
  "huge-length-in-header.dcm": "dicom-cut-short",
  "huge-length-pixel-data.dcm": "dicom-cut-short",
  "huge-length-implicit-vr.dcm": "dicom-cut-short",
};

const madeCases: IntakeCase[] = Object.entries(MADE_INTAKE).map(([name, code]) =>
  refusal(`made ${name}`, `made here: ${name}`, name, code, MADE[name]!),
);

const text = (s: string) => new TextEncoder().encode(s);
const PASSWD = text("root:x:0:0:root:/root:/bin/bash\n");
const MiB = 1024 * 1024;

/** A ZIP whose directory claims ten members of about 1 GB (each packed ~100:1, under the ratio). */
function tenGigabyteClaim(): Uint8Array<ArrayBuffer> {
  const names = Array.from({ length: 10 }, (_, i) => `part${i}.dcm`);
  let zip: Uint8Array = zipSync(Object.fromEntries(names.map((n) => [n, noise(64)])));
  for (const n of names)
    zip = patchMember(zip, n, { size: 1_050_000_000, compressedSize: 10_600_000 });
  return Uint8Array.from(zip);
}

const archiveCases: IntakeCase[] = [
  refusal(
    "zip bomb, 1000:1",
    "50 MB of zeros packed into a tiny ZIP",
    "bomb.zip",
    "archive-bomb",
    () =>
      zipSync(
        { "ct.dcm": goodDicom("bomb"), "padding.bin": new Uint8Array(50 * MiB) },
        { level: 9 },
      ),
  ),
  refusal(
    "zip bomb, 10 GB declared",
    "a directory declaring 10.5 GB",
    "ten-gigabytes.zip",
    "archive-too-large",
    tenGigabyteClaim,
  ),
  refusal(
    "zip bomb, nested",
    "a ZIP inside a ZIP inside a ZIP",
    "nested.zip",
    "archive-nested-too-deep",
    () =>
      zipSync({
        "inner.zip": zipSync({ "innermost.zip": zipSync({ "ct.dcm": goodDicom("nest") }) }),
      }),
    "nested.zip/inner.zip/innermost.zip",
  ),
  refusal(
    "zip cut short",
    "a ZIP download that stopped early",
    "cut.zip",
    "archive-damaged",
    () => {
      const zip = zipSync({ "a.dcm": goodDicom("cutzip"), "b.dcm": goodDicom("cutzip") });
      return zip.slice(0, zip.length - 40);
    },
  ),
  refusal("zip signature, then noise", "'PK' and noise", "fake.zip", "archive-damaged", () =>
    concatBytes(Uint8Array.of(0x50, 0x4b, 0x03, 0x04), noise(8192, 3)),
  ),
  refusal("rar signature, then noise", "'Rar!' and noise", "fake.rar", "archive-damaged", () =>
    concatBytes(Uint8Array.of(0x52, 0x61, 0x72, 0x21, 0x1a, 0x07, 0x01, 0x00), noise(8192, 5)),
  ),
  refusal("gzip", "a .tar.gz export", "export.tar.gz", "other-archive", () =>
    concatBytes(Uint8Array.of(0x1f, 0x8b, 0x08, 0x00), noise(512, 9)),
  ),
  refusal(
    "zip, ZipCrypto member",
    "a ZIP whose only member is encrypted",
    "locked.zip",
    "password-protected",
    () => patchMember(zipSync({ "ct.dcm": goodDicom("locked") }), "ct.dcm", { flags: 1 }),
    "locked.zip/ct.dcm",
  ),
  {
    id: "zip, AES member",
    layer: "intake",
    what: "a WinZip AES member beside a plain one",
    file: () => ({
      name: "aes.zip",
      bytes: new Uint8Array(
        patchMember(
          zipSync({ "plain.dcm": goodDicom("aesplain"), "secret.dcm": goodDicom("aes") }),
          "secret.dcm",
          { flags: 1, method: 99 },
        ),
      ),
    }),
    refused: { "aes.zip/secret.dcm": "password-protected" },
    sends: 1,
    message: /password-protected inside its archive[\s\S]*Received by PACS: 1 of 1/,
  },
  refusal(
    "zip, Deflate64 member",
    "a member packed with Deflate64",
    "deflate64.zip",
    "unsupported-compression",
    () => patchMember(zipSync({ "ct.dcm": goodDicom("d64") }), "ct.dcm", { method: 9 }),
    "deflate64.zip/ct.dcm",
  ),
  {
    id: "zip, path traversal names",
    layer: "intake",
    what: "members named ../../etc/passwd, /etc/shadow, C:\\Windows\\win.ini and ../../../tmp/ct.dcm",
    file: () => ({
      name: "traversal.zip",
      bytes: zipSync({
        "../../etc/passwd": PASSWD,
        "/etc/shadow": PASSWD,
        "C:\\Windows\\win.ini": text("[fonts]\n"),
        "../../../tmp/ct.dcm": goodDicom("zipslip"),
      }),
    }),
    refused: {
      "traversal.zip/etc/passwd": "not-an-image",
      "traversal.zip/etc/shadow": "not-an-image",
      "traversal.zip/C:/Windows/win.ini": "not-an-image",
    },
    sends: 1,
    message: /not a DICOM file[\s\S]*Received by PACS: 1 of 1/,
  },
  {
    id: "rar, path traversal names",
    layer: "intake",
    what: "a RAR 5 with members named ../../etc/passwd, a/../../b.txt and ../../../tmp/ct.dcm",
    file: () => ({
      name: "traversal.rar",
      bytes: rar5Stored([
        { name: "../../etc/passwd", bytes: PASSWD },
        { name: "a/../../b.txt", bytes: PASSWD },
        { name: "/abs/c.txt", bytes: PASSWD },
        { name: "../../../tmp/ct.dcm", bytes: goodDicom("rarslip") },
      ]),
    }),
    refused: {
      "traversal.rar/etc/passwd": "not-an-image",
      "traversal.rar/a/b.txt": "not-an-image",
      "traversal.rar/abs/c.txt": "not-an-image",
    },
    sends: 1,
    message: /not a DICOM file[\s\S]*Received by PACS: 1 of 1/,
  },
  {
    id: "zip, overlong emoji name",
    layer: "intake",
    what: "a DICOM member in a 200-emoji folder, named with 200 emoji (404 UTF-16 units)",
    file: () => ({
      name: "long-name.zip",
      bytes: zipSync({ [`${"📁".repeat(200)}/${"🩻".repeat(200)}.dcm`]: goodDicom("longname") }),
    }),
    refused: {},
    sends: 1,
    message: DELIVERED(1),
  },
];

/** The RAR fixtures of web/tests/fixtures/archives (see its SOURCES.md); `main` names the reason
 * the case is about. */
function rarFixture(
  file: string,
  what: string,
  main: string,
  members: Record<string, string>,
): IntakeCase {
  const refused = Object.fromEntries(
    Object.entries(members).map(([member, code]) => [member ? `${file}/${member}` : file, code]),
  );
  return {
    id: `rar ${file.replace(/\.rar$/, "")}`,
    layer: "intake",
    what,
    file: (fixtures) => ({ name: file, bytes: fixtures(`archives/${file}`) }),
    refused,
    sends: 0,
    message: REASON[main]!,
  };
}

const PASSWORD = "password-protected";
const rarCases: IntakeCase[] = [
  rarFixture("rar5-psw.rar", "RAR 5, members encrypted", PASSWORD, {
    "stest1.txt": PASSWORD,
    "stest2.txt": PASSWORD,
  }),
  rarFixture("rar5-hpsw.rar", "RAR 5, headers encrypted", "archive-password-protected", {
    "": "archive-password-protected",
  }),
  rarFixture("test_read_format_rar_encryption_data.rar", "RAR 4, members encrypted", PASSWORD, {
    "foo.txt": PASSWORD,
    "bar.txt": PASSWORD,
  }),
  rarFixture(
    "test_read_format_rar_encryption_header.rar",
    "RAR 4, headers encrypted",
    "archive-password-protected",
    { "": "archive-password-protected" },
  ),
  rarFixture("rar5-vols.part1.rar", "RAR 5, first of three volumes", "multi-volume", {
    "": "multi-volume",
  }),
  rarFixture(
    "derived_rar5-crc_byteflip-800.rar",
    "RAR 5, a member's bytes flipped",
    "member-damaged",
    {
      "stest1.txt": "not-an-image",
      "stest2.txt": "member-damaged",
    },
  ),
  rarFixture("derived_rar5-crc_truncated-1700.rar", "RAR 5, cut at 1700 bytes", "member-damaged", {
    "stest1.txt": "not-an-image",
    "stest2.txt": "member-damaged",
  }),
  rarFixture("rar5-symlink-unix.rar", "RAR 5 holding symbolic links", "link", {
    "data.txt": "not-an-image",
    data_link: "link",
    random_link: "link",
  }),
  rarFixture("rar5-dups.rar", "RAR 5 storing copies as references", "rar-reference", {
    "stest1.txt": "not-an-image",
    ...Object.fromEntries([2, 3, 4, 5, 6, 7, 8, 9].map((n) => [`stest${n}.txt`, "rar-reference"])),
  }),
];

export const INTAKE_CASES: IntakeCase[] = [
  ...corpusCases,
  ...madeCases,
  ...archiveCases,
  ...rarCases,
];
