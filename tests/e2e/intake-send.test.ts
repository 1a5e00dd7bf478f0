// What the intake sends reaches the PACS as it should: DICOM files from inside a ZIP arrive
// byte-identical; unticked series stay behind; JPEG and PNG photos become Secondary Capture
// objects in the study they were picked with (or in a new study of the patient typed into the
// form) and pass dciodvfy when fetched back from Orthanc; an unsupported photo is explained and
// left out.
import { readFileSync } from "node:fs";
import path from "node:path";
import dicomParser from "dicom-parser";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { manifest, value } from "../../web/tests/fixtures/intake/load";
import { zipSync } from "../../web/tests/fixtures/intake/zip-craft";
import { orthancFetch, type TestStack } from "../support/stack";
import {
  INTAKE_FIXTURES,
  PHOTO_FIXTURES,
  ROOT_FIXTURES,
  dciodvfyErrors,
  openIntakeBrowser,
  openUpload,
  orthancFile,
  orthancStudyInstances,
  pickFiles,
  pickFolder,
  screenOf,
} from "./intake-page";

const SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7";
const BASIC_TEXT_SR = "1.2.840.10008.5.1.4.1.1.88.11";

let stack: TestStack;
let page: Page;
let pageErrors: string[] = [];

beforeAll(async () => {
  const intake = await openIntakeBrowser("rp-send");
  ({ stack, page, pageErrors } = intake);
  return intake.close;
});

/** Review → gate → send; returns the gate's question and the PACS's summary line. */
async function confirmAndSend(): Promise<{ question: string; summary: string }> {
  await page.getByTestId("send").click();
  await screenOf(page, ["confirm"]);
  const question = (await page.getByTestId("gate-question").textContent())?.trim() ?? "";
  await page.getByTestId("confirm-send").click();
  const summary = page.getByTestId("result-summary");
  await summary.waitFor({ timeout: 120_000 });
  return { question, summary: (await summary.textContent())?.trim() ?? "" };
}

function tags(bytes: Buffer) {
  const ds = dicomParser.parseDicom(new Uint8Array(bytes), { untilTag: "x00200013" });
  return {
    sopClass: ds.string("x00080016"),
    studyUid: ds.string("x0020000d"),
    patientId: ds.string("x00100020"),
    description: ds.string("x00081030"),
  };
}

describe("DICOM files from a ZIP", () => {
  it("arrive in Orthanc byte-identical to the files zipped", async () => {
    const rows = manifest("root").filter((row) => row.category === "study/dcmqi_ct_3slice_seg");
    const files = rows.map((row) => readFileSync(path.join(ROOT_FIXTURES, row.path)));
    const zip = zipSync(
      Object.fromEntries(rows.map((row, i) => [`CD/DICOM/SERIES1/IM${i + 1}`, files[i]!])),
    );
    await openUpload(page);
    const picked = [{ name: "study.zip", mimeType: "application/zip", buffer: Buffer.from(zip) }];
    expect(await pickFiles(page, picked)).toBe("review");
    expect((await confirmAndSend()).summary).toContain("Received by PACS: 3 of 3");

    const studyUid = value(rows[0]!, "study_instance_uid")!;
    const instances = await orthancStudyInstances(stack.orthanc, studyUid);
    expect(instances).toHaveLength(3);
    const stored = await Promise.all(instances.map((i) => orthancFile(stack.orthanc, i.ID)));
    for (const file of files) {
      expect(stored.some((bytes) => bytes.equals(file))).toBe(true);
    }
  });
});

describe("series the user unticks", () => {
  it("stay behind; the next study of the same CD is offered after the upload", async () => {
    await openUpload(page);
    expect(
      await pickFolder(page, path.join(INTAKE_FIXTURES, "dicomdir/pydicom_dicomdirtests")),
    ).toBe("studies");
    // Doe^Peter's CT: two series (2 + 5 images). Leave the first one out.
    const choice = page.getByTestId("study-choice").filter({ hasText: "7 images" });
    await choice.click();
    await screenOf(page, ["review"]);
    const rows = page.getByTestId("series-row");
    expect(await rows.count()).toBe(2);
    const dropped = Number.parseInt(
      (await rows.first().getByTestId("series-count").textContent()) ?? "",
      10,
    );
    await rows.first().getByTestId("series-toggle").uncheck();
    const { question, summary } = await confirmAndSend();
    expect(question).toContain(`Send ${7 - dropped} images of Doe, Peter`);
    expect(summary).toContain(`Received by PACS: ${7 - dropped} of ${7 - dropped}`);

    const ct = manifest("intake").find((row) => row.path.endsWith("/CT2N/6293"))!;
    const instances = await orthancStudyInstances(stack.orthanc, value(ct, "study_instance_uid")!);
    expect(instances).toHaveLength(7 - dropped);

    await page.getByTestId("next-study").click();
    await screenOf(page, ["studies"]);
    const sent = page.getByTestId("study-choice").and(page.locator(":disabled"));
    expect(await sent.count()).toBe(1);
  });
});

describe("photos", () => {
  const ctPath = path.join(ROOT_FIXTURES, "transfer_syntax/explicit_vr_le/CT_small.dcm");
  const ctRow = manifest("root").find((row) => row.path.endsWith("/CT_small.dcm"))!;

  it("picked with a study join it as Secondary Captures that pass dciodvfy; a progressive JPEG is explained", async () => {
    await openUpload(page);
    const photos = ["gray-baseline.jpg", "rgb8.png", "progressive.jpg"].map((f) =>
      path.join(PHOTO_FIXTURES, f),
    );
    expect(await pickFiles(page, [ctPath, ...photos])).toBe("review");
    const rows = page.getByTestId("photo-row");
    expect(await rows.count()).toBe(3);
    await page.locator('[data-testid="photo-row"][data-status="ok"]').nth(1).waitFor();
    const refused = page.locator('[data-testid="photo-row"][data-status="progressive-jpeg"]');
    expect(await refused.textContent()).toContain("progressive JPEG");

    const { question, summary } = await confirmAndSend();
    expect(question).toContain("Send 3 images of CompressedSamples, CT1");
    expect(summary).toContain("Received by PACS: 3 of 3");

    const studyUid = value(ctRow, "study_instance_uid")!;
    const instances = await orthancStudyInstances(stack.orthanc, studyUid);
    expect(instances).toHaveLength(3);
    const written = instances.filter(
      (i) => i.MainDicomTags["SOPInstanceUID"] !== value(ctRow, "sop_instance_uid"),
    );
    expect(written).toHaveLength(2);
    for (const instance of written) {
      const bytes = await orthancFile(stack.orthanc, instance.ID);
      expect(tags(bytes)).toMatchObject({ sopClass: SECONDARY_CAPTURE, studyUid });
      expect(dciodvfyErrors(bytes)).toEqual([]);
    }
  });

  it("taken one after another with no DICOM: a new study of the patient in the form, with the SR", async () => {
    await openUpload(page);
    await page
      .getByTestId("camera-input")
      .setInputFiles(path.join(PHOTO_FIXTURES, "color-canvas-420.jpg"));
    await screenOf(page, ["review"]);
    await page.getByTestId("camera-more").setInputFiles(path.join(PHOTO_FIXTURES, "rgba8.png"));
    await page.locator('[data-testid="photo-row"][data-status="ok"]').nth(1).waitFor();

    const patientId = `E2E-${Date.now()}`;
    await page.getByTestId("patient-family").fill("Ørsted");
    await page.getByTestId("patient-given").fill("Åse");
    await page.getByTestId("patient-id-input").fill(patientId);
    await page.getByTestId("study-rename").fill("Wound, left heel");
    await page.getByTestId("impression").fill("Healing well; review in two weeks.");
    const { question, summary } = await confirmAndSend();
    expect(question).toContain("Send 2 images of Ørsted, Åse");
    expect(summary).toContain("Received by PACS: 3 of 3");

    const find = await orthancFetch(stack.orthanc, "/tools/find", {
      method: "POST",
      body: JSON.stringify({ Level: "Instance", Query: { PatientID: patientId }, Expand: true }),
    });
    const found = await find.json<{ ID: string }[]>();
    expect(found).toHaveLength(3);
    const objects = await Promise.all(
      found.map(async (i) => tags(await orthancFile(stack.orthanc, i.ID))),
    );
    expect(new Set(objects.map((o) => o.studyUid)).size).toBe(1);
    expect(objects.map((o) => o.sopClass).sort()).toEqual(
      [BASIC_TEXT_SR, SECONDARY_CAPTURE, SECONDARY_CAPTURE].sort(),
    );
    for (const instance of found) {
      expect(dciodvfyErrors(await orthancFile(stack.orthanc, instance.ID))).toEqual([]);
    }
    expect(
      objects.filter((o) => o.sopClass === SECONDARY_CAPTURE).map((o) => o.description),
    ).toEqual(["Wound, left heel", "Wound, left heel"]);
    expect(pageErrors).toEqual([]);
  });
});
