// Every corpus category through the intake in the browser, compared with what the corpus MANIFEST
// recorded (dcmtk's reading, not our code's): patient, study date, modalities, series, image count
// and size on the confirm screen; or, for what cannot be sent, the file listed with its reason.
// Then archives: ZIPs built here (nested folders, a bomb, an encrypted member, a cut-off
// download) and the RAR fixtures (plain, solid, encrypted data or headers, split, damaged).
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { formatBytes, formatPersonName, formatStudyDate } from "../../web/src/lib/format";
import { manifest, value, type ManifestRow } from "../../web/tests/fixtures/intake/load";
import { patchMember, zipSync } from "../../web/tests/fixtures/intake/zip-craft";
import {
  ARCHIVE_FIXTURES,
  INTAKE_FIXTURES,
  ROOT_FIXTURES,
  openIntakeBrowser,
  openUpload,
  pickFiles,
  pickFolder,
  screenOf,
} from "./intake-page";

const DICOMDIR_CLASS = "1.2.840.10008.1.3.10";
const fixture = (dir: string, file: string) => readFileSync(path.join(dir, file));

let page: Page;
let pageErrors: string[] = [];

beforeAll(async () => {
  const intake = await openIntakeBrowser("rp-corpus");
  ({ page, pageErrors } = intake);
  return intake.close;
});

interface Expected {
  patient: string;
  date: string;
  modalities: string[];
  series: number;
  images: number;
  size: string;
}

const isDicomdir = (row: ManifestRow) =>
  path.basename(row.path).startsWith("DICOMDIR") || value(row, "sop_class_uid") === DICOMDIR_CLASS;
/** What the MANIFEST says can be sent: dcmdump reads it and it names its study. */
const sendable = (row: ManifestRow) =>
  value(row, "dcmdump_rc") === "0" && value(row, "study_instance_uid") !== undefined;

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

/**
 * Of files that share a SOP Instance UID the first is sent; an exact copy is dropped with a
 * warning, a different file under the same UID is refused ("duplicate-conflict").
 */
function settle(rows: readonly ManifestRow[], dir: string) {
  const first = new Map<string, ManifestRow>();
  const kept: ManifestRow[] = [];
  const conflicts: ManifestRow[] = [];
  for (const row of rows.filter(sendable)) {
    const uid = value(row, "sop_instance_uid") ?? row.path;
    const earlier = first.get(uid);
    if (!earlier) {
      first.set(uid, row);
      kept.push(row);
    } else if (!fixture(dir, earlier.path).equals(fixture(dir, row.path))) {
      conflicts.push(row);
    }
  }
  return { kept, conflicts };
}

/** The confirm screen's values per study, from the MANIFEST rows of the files sent. */
function expectedStudies(rows: readonly ManifestRow[]): Map<string, Expected> {
  const studies = groupBy(rows, (row) => value(row, "study_instance_uid")!);
  return new Map(
    [...studies].map(([uid, members]) => {
      const first = members[0]!;
      const date = value(first, "study_date");
      return [
        uid,
        {
          patient: formatPersonName(value(first, "patient_name_utf8") ?? "") || "Not in the files",
          date: date
            ? formatStudyDate(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6)}`)
            : "Not in the files",
          modalities: [...new Set(members.map((m) => value(m, "modality") ?? ""))].sort(),
          series: new Set(members.map((m) => value(m, "series_instance_uid"))).size,
          images: members.length,
          size: formatBytes(members.reduce((n, m) => n + Number(m.size_bytes), 0)),
        },
      ];
    }),
  );
}

/** The confirm screen's values as shown. */
async function shown(): Promise<Expected> {
  const text = async (id: string) => (await page.getByTestId(id).textContent())?.trim() ?? "";
  return {
    patient: await text("patient-name"),
    date: await text("study-date"),
    modalities: (await text("modality")).split(", ").sort(),
    series: await page.getByTestId("series-row").count(),
    images: Number(await text("instance-count")),
    size: await text("study-size"),
  };
}

/** Every study the pick holds, through the study chooser when there are several. */
async function shownStudies(screen: string): Promise<Expected[]> {
  if (screen === "review") return [await shown()];
  expect(screen).toBe("studies");
  const count = await page.getByTestId("study-choice").count();
  const all: Expected[] = [];
  for (let i = 0; i < count; i++) {
    await page.getByTestId("study-choice").nth(i).click();
    await screenOf(page, ["review"]);
    all.push(await shown());
    await page.getByTestId("review-back").click();
    await screenOf(page, ["studies"]);
  }
  return all;
}

const byPatientAndCount = (a: Expected, b: Expected) =>
  `${a.patient} ${a.date} ${a.images}`.localeCompare(`${b.patient} ${b.date} ${b.images}`);

/** The files listed as not sent: name → reason code. */
async function rejectedFiles(): Promise<Record<string, string>> {
  const rows = await page.getByTestId("rejected-file").all();
  const out: Record<string, string> = {};
  for (const row of rows) {
    const name = (await row.getByTestId("rejected-name").textContent())?.trim() ?? "";
    const reason = (await row.getByTestId("rejected-reason").textContent())?.trim() ?? "";
    expect(reason, name).toMatch(/^[A-Z].{20,}\.$/);
    out[name] = (await row.getAttribute("data-code")) ?? "";
  }
  return out;
}

const rootRows = manifest("root");
const intakeRows = manifest("intake");
/** The CD export is picked whole, as a folder; every other category file by file. */
const categories = [
  ...[...groupBy(rootRows, (row) => row.category!)].map(([c, rows]) => ({
    c,
    rows,
    dir: ROOT_FIXTURES,
  })),
  ...[
    ...groupBy(
      intakeRows.filter((r) => !r.path.startsWith("dicomdir/")),
      (r) => r.category!,
    ),
  ].map(([c, rows]) => ({ c, rows, dir: INTAKE_FIXTURES })),
];

describe("each corpus category through the intake, as its MANIFEST describes it", () => {
  it.each(categories.map((x) => [x.c, x] as const))("%s", async (_name, { rows, dir }) => {
    await openUpload(page);
    const screen = await pickFiles(
      page,
      rows.map((row) => path.join(dir, row.path)),
    );
    const { kept, conflicts } = settle(rows, dir);
    const expected = [...expectedStudies(kept).values()].sort(byPatientAndCount);
    if (expected.length === 0) {
      expect(screen).toBe("empty");
    } else {
      expect((await shownStudies(screen)).sort(byPatientAndCount)).toEqual(expected);
    }
    const refused = [...rows.filter((row) => !sendable(row) && !isDicomdir(row)), ...conflicts];
    if (refused.length > 0) {
      expect(Object.keys(await rejectedFiles()).sort()).toEqual(
        refused.map((row) => path.basename(row.path)).sort(),
      );
    }
    if (rows.some(isDicomdir)) {
      const notes = page.locator(
        '[data-testid="dicomdir-note"], [data-code="dicomdir-missing-files"]',
      );
      expect(await notes.count()).toBe(rows.filter(isDicomdir).length);
      expect(await notes.first().textContent()).toContain("DICOMDIR");
    }
  });

  it("a CD picked as a folder: six studies of two patients, the DICOMDIRs explained, incomplete series warned of", async () => {
    const cdRows = intakeRows.filter((row) => row.path.startsWith("dicomdir/"));
    await openUpload(page);
    const screen = await pickFolder(
      page,
      path.join(INTAKE_FIXTURES, "dicomdir/pydicom_dicomdirtests"),
    );
    const sent = cdRows.filter(sendable);
    const expected = [...expectedStudies(sent).values()].sort(byPatientAndCount);
    expect(expected).toHaveLength(6);
    expect((await shownStudies(screen)).sort(byPatientAndCount)).toEqual(expected);
    // Four DICOMDIRs, each listing files that were all picked.
    expect(await page.getByTestId("dicomdir-note").count()).toBe(cdRows.filter(isDicomdir).length);

    // Series that declare more images than they hold (dcmdump's numbers): warned of per study.
    const dumped = new Map(manifest("intake", "DCMDUMP.tsv").map((row) => [row.path, row]));
    const short = new Map<string, number>();
    for (const [series, members] of groupBy(cdRows.filter(sendable), (r) =>
      value(r, "series_instance_uid")!,
    )) {
      const declared = Math.max(
        0,
        ...members.map((m) => Number(value(dumped.get(m.path)!, "images_in_acquisition") ?? 0)),
      );
      const study = value(members[0]!, "study_instance_uid")!;
      if (declared > members.length && series) short.set(study, (short.get(study) ?? 0) + 1);
    }
    expect(short.size).toBeGreaterThan(0);
    for (let i = 0; i < 6; i++) {
      await page.getByTestId("study-choice").nth(i).click();
      await screenOf(page, ["review"]);
      const images = Number(await page.getByTestId("instance-count").textContent());
      const date = await page.getByTestId("study-date").textContent();
      const uid = [...expectedStudies(sent)].find(
        ([, s]) => s.images === images && s.date === date,
      )?.[0];
      expect(uid).toBeDefined();
      const warned = page.locator('[data-testid="warning"][data-code="fewer-than-declared"]');
      expect(await warned.count(), `study ${uid}`).toBe(short.get(uid!) ?? 0);
      await page.getByTestId("review-back").click();
      await screenOf(page, ["studies"]);
    }
  });
});

const zipFile = (name: string, bytes: Uint8Array) => ({
  name,
  mimeType: "application/zip",
  buffer: Buffer.from(bytes),
});

describe("ZIP archives, built here", () => {
  const ct = fixture(ROOT_FIXTURES, "transfer_syntax/explicit_vr_le/CT_small.dcm");
  const mr = fixture(ROOT_FIXTURES, "transfer_syntax/explicit_vr_le/MR_small.dcm");
  const ctRow = rootRows.find((row) => row.path.endsWith("/CT_small.dcm"))!;

  it("nested folders: the study inside is found, system clutter ignored silently", async () => {
    const study = rootRows.filter((row) => row.category === "study/dcmqi_ct_3slice_seg");
    const zip = zipSync({
      ...Object.fromEntries(
        study.map((row) => [
          `export/PATIENT/STUDY/SERIES/${path.basename(row.path)}`,
          fixture(ROOT_FIXTURES, row.path),
        ]),
      ),
      "export/.DS_Store": new Uint8Array(8),
      "__MACOSX/export/._PATIENT": new Uint8Array(8),
      "export/README.txt": new TextEncoder().encode("Open with a DICOM viewer."),
    });
    await openUpload(page);
    expect(await pickFiles(page, [zipFile("export.zip", zip)])).toBe("review");
    expect(await shown()).toEqual([...expectedStudies(study).values()][0]);
    expect(await page.getByTestId("study-size").textContent()).toBe(
      formatBytes(study.reduce((n, row) => n + Number(row.size_bytes), 0)),
    );
    expect(await rejectedFiles()).toEqual({ "export.zip/export/README.txt": "not-an-image" });
  });

  it("a zip bomb is refused whole, with a plain reason", async () => {
    await openUpload(page);
    const zip = zipSync(
      { "ct.dcm": ct, "padding.bin": new Uint8Array(50 * 1024 * 1024) },
      { level: 9 },
    );
    expect(await pickFiles(page, [zipFile("bomb.zip", zip)])).toBe("empty");
    expect(await rejectedFiles()).toEqual({ "bomb.zip": "archive-bomb" });
    expect(await page.getByTestId("rejected-reason").textContent()).toContain("zip bomb");
  });

  it("an encrypted member is explained; the others are read", async () => {
    await openUpload(page);
    const zip = patchMember(zipSync({ "ct.dcm": ct, "mr.dcm": mr }), "mr.dcm", { flags: 1 });
    expect(await pickFiles(page, [zipFile("locked.zip", zip)])).toBe("review");
    expect((await shown()).patient).toBe(formatPersonName(value(ctRow, "patient_name_utf8")!));
    expect(await rejectedFiles()).toEqual({ "locked.zip/mr.dcm": "password-protected" });
  });

  it("a cut-off download is damaged", async () => {
    await openUpload(page);
    const zip = zipSync({ "ct.dcm": ct, "mr.dcm": mr });
    expect(await pickFiles(page, [zipFile("cut.zip", zip.subarray(0, zip.length - 40))])).toBe(
      "empty",
    );
    expect(await rejectedFiles()).toEqual({ "cut.zip": "archive-damaged" });
  });
});

describe("drag and drop on a desktop", () => {
  it("files dropped on the page are read like picked ones", async () => {
    await openUpload(page);
    const ct = fixture(ROOT_FIXTURES, "transfer_syntax/explicit_vr_le/CT_small.dcm");
    const ctRow = rootRows.find((row) => row.path.endsWith("/CT_small.dcm"))!;
    const dataTransfer = await page.evaluateHandle(
      `(() => {
        const bytes = Uint8Array.from(atob("${ct.toString("base64")}"), (c) => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], "CT_small.dcm"));
        return transfer;
      })()`,
    );
    await page.locator("section.picker").dispatchEvent("drop", { dataTransfer });
    expect(await screenOf(page, ["review"])).toBe("review");
    expect(await shown()).toEqual([...expectedStudies([ctRow]).values()][0]);
  });
});

describe("RAR archives, from the fixtures", () => {
  const cases: [string, Record<string, string>][] = [
    ["testfile.rar5.rar", { "testfile.rar5.rar/testfile.txt": "not-an-image" }],
    ["testfile.rar3.rar", { "testfile.rar3.rar/testfile.txt": "not-an-image" }],
    [
      "rar5-solid.rar",
      { "rar5-solid.rar/stest1.txt": "not-an-image", "rar5-solid.rar/stest2.txt": "not-an-image" },
    ],
    ["rar5-hpsw.rar", { "rar5-hpsw.rar": "archive-password-protected" }],
    [
      "rar5-psw.rar",
      {
        "rar5-psw.rar/stest1.txt": "password-protected",
        "rar5-psw.rar/stest2.txt": "password-protected",
      },
    ],
    ["rar5-vols.part1.rar", { "rar5-vols.part1.rar": "multi-volume" }],
    [
      "derived_rar5-crc_byteflip-800.rar",
      {
        "derived_rar5-crc_byteflip-800.rar/stest1.txt": "not-an-image",
        "derived_rar5-crc_byteflip-800.rar/stest2.txt": "member-damaged",
      },
    ],
  ];

  it.each(cases)("%s", async (file, expected) => {
    await openUpload(page);
    expect(await pickFiles(page, [path.join(ARCHIVE_FIXTURES, file)])).toBe("empty");
    expect(await rejectedFiles()).toEqual(expected);
  });

  it("raised no error in the page", () => {
    expect(pageErrors).toEqual([]);
  });
});
