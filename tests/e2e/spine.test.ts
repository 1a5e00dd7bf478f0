// The spine, end to end, the way a clinician does it: sign in, Upload Study, pick three DICOM
// files of one study, check the header summary, add a clinical impression, confirm, send, and
// read the PACS's answer per instance. Then ask the real Orthanc for each instance's stored file:
// it must be byte-identical to the file that was picked; and the impression must be in the same
// study as a fourth instance, a Basic Text SR that dciodvfy accepts.
import { readFileSync } from "node:fs";
import path from "node:path";
import dicomParser from "dicom-parser";
import type { Page } from "playwright-core";
import { formatStudyDate } from "../../web/src/lib/format";
import { beforeAll, describe, expect, it } from "vitest";
import { orthancFetch, type TestStack } from "../support/stack";
import {
  dciodvfyErrors,
  openIntakeBrowser,
  orthancFile,
  orthancStudyInstances,
} from "./intake-page";

const STUDY_DIR = path.resolve(import.meta.dirname, "../fixtures/dicom/study/dcmqi_ct_3slice_seg");
const FILES = ["01.dcm", "02.dcm", "03.dcm"].map((f) => path.join(STUDY_DIR, f));
const IMPRESSION = "Hypodense lesion in segment VII; please compare.";
const BASIC_TEXT_SR = "1.2.840.10008.5.1.4.1.1.88.11";

/** What the corpus MANIFEST says about these three files (the test's expected values). */
type ManifestRow = Record<
  | "path"
  | "patient_name_utf8"
  | "study_date"
  | "modality"
  | "sop_instance_uid"
  | "study_instance_uid",
  string
>;

function manifestRows(): ManifestRow[] {
  const lines = readFileSync(path.resolve(STUDY_DIR, "../../MANIFEST.tsv"), "utf8").trimEnd();
  const [header = [], ...rows] = lines.split("\n").map((l) => l.split("\t"));
  return rows
    .map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ""])))
    .filter((row) => (row.path ?? "").includes("study/dcmqi_ct_3slice_seg/0")) as ManifestRow[];
}

function sopInstanceUid(file: string): string {
  const bytes = new Uint8Array(readFileSync(file));
  const uid = dicomParser.parseDicom(bytes, { untilTag: "x00080019" }).string("x00080018");
  if (!uid) throw new Error(`${file} has no SOP Instance UID`);
  return uid;
}

let stack: TestStack;
let page: Page;
let pageErrors: string[] = [];

beforeAll(async () => {
  // Signing in is part of this test; the page keeps Chromium's own size.
  const intake = await openIntakeBrowser("rp-e2e", { signedIn: false, viewport: null });
  ({ stack, page, pageErrors } = intake);
  page.on("console", (message) => {
    // A Content-Security-Policy violation is reported on the console as an error.
    if (message.type() === "error" && /Content Security Policy/i.test(message.text())) {
      pageErrors.push(message.text());
    }
  });
  return intake.close;
});

describe("a study from the browser to the PACS", () => {
  it("signs in, uploads three instances and the impression; Orthanc holds them in one study", async () => {
    const rows = manifestRows();
    expect(rows).toHaveLength(3);
    const first = rows[0]!;

    await page.goto(stack.appUrl);
    await page.getByTestId("email").fill(stack.login.email);
    await page.getByTestId("password").fill(stack.login.password);
    await page.getByTestId("sign-in").click();

    await page.getByTestId("upload-study").click();
    await page.getByTestId("file-input").setInputFiles(FILES);

    // The header summary, read in the browser, shows what the MANIFEST says the files hold.
    const [patient] = first.patient_name_utf8.split("^");
    await expect.poll(() => page.getByTestId("patient-name").textContent()).toContain(patient);
    // Shown as a date a person reads ("17 Apr 2003"), from the header's YYYYMMDD.
    const d = first.study_date;
    const expectedDate = formatStudyDate(`${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`);
    expect(expectedDate).toMatch(/2003/);
    expect(await page.getByTestId("study-date").textContent()).toContain(expectedDate);
    expect(await page.getByTestId("modality").textContent()).toContain(first.modality);

    await page.getByTestId("impression").fill(IMPRESSION);
    await page.getByTestId("send").click();
    // The confirmation gate names how many images of whom.
    const question = await page.getByTestId("gate-question").textContent();
    expect(question).toContain(`Send 3 images of ${patient}`);
    await page.getByTestId("confirm-send").click();

    const summary = page.getByTestId("result-summary");
    await summary.waitFor({ timeout: 120_000 });
    expect(await summary.textContent()).toContain("Received by PACS: 4 of 4");
    const outcomes = await page.getByTestId("file-outcome").all();
    expect(outcomes).toHaveLength(4);
    for (const outcome of outcomes) {
      expect(await outcome.getAttribute("data-outcome")).toBe("ok");
    }

    for (const file of FILES) {
      const uid = sopInstanceUid(file);
      expect(rows.map((r) => r.sop_instance_uid)).toContain(uid);
      const lookup = await orthancFetch(stack.orthanc, "/tools/lookup", {
        method: "POST",
        body: uid,
      });
      const hits = await lookup.json<Array<{ ID: string; Type: string }>>();
      const instance = hits.find((h) => h.Type === "Instance");
      expect(instance, `Orthanc has no instance ${uid}`).toBeDefined();
      const stored = await orthancFetch(stack.orthanc, `/instances/${instance!.ID}/file`);
      expect(stored.status).toBe(200);
      const storedBytes = Buffer.from(await stored.arrayBuffer());
      expect(storedBytes.equals(readFileSync(file)), `${path.basename(file)} differs`).toBe(true);
    }

    // The clinical impression: a fourth instance of the same study, a Basic Text SR.
    const instances = await orthancStudyInstances(stack.orthanc, first.study_instance_uid);
    expect(instances).toHaveLength(4);
    const uids = new Set(FILES.map(sopInstanceUid));
    const added = instances.filter((i) => !uids.has(i.MainDicomTags["SOPInstanceUID"] ?? ""));
    expect(added).toHaveLength(1);
    const sr = await orthancFile(stack.orthanc, added[0]!.ID);
    const meta = dicomParser.parseDicom(new Uint8Array(sr), { untilTag: "x00080019" });
    expect(meta.string("x00080016")).toBe(BASIC_TEXT_SR);
    expect(meta.string("x0020000d")).toBe(first.study_instance_uid);
    expect(sr.includes(Buffer.from(IMPRESSION, "utf8"))).toBe(true);
    expect(dciodvfyErrors(sr)).toEqual([]);

    expect(pageErrors).toEqual([]);
  });
});
