// The offline queue, the way a clinician meets it: a study confirmed with no network, the app
// closed, reopened later on the same device, the network back, and the study arrives by itself,
// byte-identical in the PACS, with no patient data left on the device. And two tabs open on the
// same queue: every chunk goes once.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import dicomParser from "dicom-parser";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { confirmStudy } from "../support/queue-page";
import { indexedDbText, orthancInstanceBytes, signIn, writeSyntheticStudy } from "../support/stack";
import { expectInOrthanc, queueSuite } from "./queue-suite";

const STUDY_DIR = path.resolve(import.meta.dirname, "../fixtures/dicom/study/dcmqi_ct_3slice_seg");
const FILES = ["01.dcm", "02.dcm", "03.dcm"].map((f) => path.join(STUDY_DIR, f));
const IMPRESSION = "Offline queue test: hypodense lesion, segment VII.";

function tags(file: string) {
  const data = dicomParser.parseDicom(new Uint8Array(readFileSync(file)), {
    untilTag: "x00200010",
  });
  return {
    sopUid: data.string("x00080018") ?? "",
    patientName: data.string("x00100010") ?? "",
    patientId: data.string("x00100020") ?? "",
  };
}

async function serviceWorkerInControl(page: Page): Promise<void> {
  await page.evaluate("navigator.serviceWorker.ready.then(() => undefined)");
  await expect
    .poll(() => page.evaluate("navigator.serviceWorker.controller !== null"), { timeout: 30_000 })
    .toBe(true);
}

async function receiptOf(page: Page, timeout = 150_000) {
  const receipt = page.getByTestId("queue-receipt").first();
  await receipt.waitFor({ timeout });
  return {
    outcome: await receipt.getAttribute("data-outcome"),
    title: (await receipt.getByTestId("receipt-title").textContent()) ?? "",
  };
}

const suite = queueSuite();
const { launch } = suite;

describe("the offline upload queue", () => {
  it("a study confirmed offline survives a restart, uploads when online and leaves no PHI", async () => {
    const profile = path.join(mkdtempSync(path.join(tmpdir(), "rp-offline-")), "p");
    let browser = await launch(profile);
    let page = await browser.newPage();
    await signIn(page, suite.stack);
    await serviceWorkerInControl(page);

    await browser.setOffline(true);
    await confirmStudy(page, FILES, IMPRESSION);
    // Persisted before any network: the files' bytes are in IndexedDB (the three images, and the
    // impression as a DICOM SR when the upload screen writes one).
    await expect
      .poll(async () => (await indexedDbText(page)).blobs, { timeout: 30_000 })
      .toBeGreaterThanOrEqual(FILES.length);
    const queued = (await indexedDbText(page)).blobs;
    // Reloading while offline is served from the precache, and the queue says what it waits for.
    await page.goto(`${suite.stack.appUrl}/queue`);
    await expect
      .poll(() => page.getByTestId("job-title").first().textContent(), { timeout: 30_000 })
      .toContain("Waiting for network");
    expect(await page.getByTestId("offline-banner").isVisible()).toBe(true);
    await browser.close();

    // Hours later: the app is opened again on the same device, first still offline.
    browser = await launch(profile);
    await browser.setOffline(true);
    page = await browser.newPage();
    await page.goto(`${suite.stack.appUrl}/queue`);
    await page.getByTestId("queue-job").waitFor({ timeout: 30_000 });
    expect((await indexedDbText(page)).blobs).toBe(queued);

    await browser.setOffline(false);
    const receipt = await receiptOf(page);
    expect(receipt.outcome).toBe("delivered");
    expect(receipt.title).toMatch(/^Confirmed by PACS (\d+) of \1$/);

    for (const file of FILES) {
      const stored = await orthancInstanceBytes(suite.stack.orthanc, tags(file).sopUid);
      expect(stored, `Orthanc has no ${path.basename(file)}`).not.toBeNull();
      expect(stored?.equals(readFileSync(file)), `${path.basename(file)} differs`).toBe(true);
    }

    const kept = await indexedDbText(page);
    expect(kept.blobs).toBe(0);
    const { patientName, patientId } = tags(FILES[0]!);
    const phi = [IMPRESSION, ...patientName.split("^").filter((p) => p.length > 2), patientId];
    for (const value of [...phi, ...FILES.map((f) => path.basename(f))]) {
      expect(kept.text, `IndexedDB still holds "${value}"`).not.toContain(value);
    }
  });

  it("two tabs on one queue send every chunk once", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "rp-tabs-"));
    const study = writeSyntheticStudy(path.join(dir, "study"), 3, 3_000_000);
    const browser = await launch(path.join(dir, "p"));
    const chunks: string[] = [];
    const sessions: string[] = [];
    browser.on("request", (request) => {
      const url = new URL(request.url());
      if (request.method() === "PUT" && url.pathname.includes("/chunks/"))
        chunks.push(url.pathname);
      if (request.method() === "POST" && url.pathname === "/api/uploads")
        sessions.push(url.pathname);
    });
    const first = await browser.newPage();
    await signIn(first, suite.stack);
    await serviceWorkerInControl(first);
    const second = await browser.newPage();
    await second.goto(`${suite.stack.appUrl}/queue`);
    await second
      .getByTestId("queue-empty")
      .or(second.getByTestId("queue-receipt"))
      .first()
      .waitFor();

    await confirmStudy(first, study.files, "two tabs");
    // The second tab hears of the job and tries too; only one of them may send it.
    await second.getByTestId("queue-job").waitFor({ timeout: 30_000 });
    await first.goto(`${suite.stack.appUrl}/queue`);
    expect((await receiptOf(second)).outcome).toBe("delivered");

    expect(sessions).toHaveLength(1);
    expect(chunks.length).toBeGreaterThan(3);
    expect(new Set(chunks).size).toBe(chunks.length);
    await expectInOrthanc(suite.stack, study);
  });
});
