// Every intake screen, in English and in French, on a phone: axe-core finds no violation at
// 390×844, nothing scrolls sideways at 390×844 or 360×640, and every touch target is at least
// 44 px. The walk: pick → reading → which study → check the study → confirm; photos alone with
// the patient form; nothing to send. Set INTAKE_SCREENSHOTS=dir to keep a screenshot of each.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  INTAKE_FIXTURES,
  PHOTO_FIXTURES,
  expectQualityBar,
  horizontalOverflow,
  openIntakeBrowser,
  openUpload,
  pickFiles,
  screenOf,
  smallTargets,
} from "./intake-page";

const CD = path.join(INTAKE_FIXTURES, "dicomdir/pydicom_dicomdirtests");
const shots = process.env.INTAKE_SCREENSHOTS;
const PHONES = [
  { width: 390, height: 844 },
  { width: 360, height: 640 },
] as const;

let page: Page;
let pageErrors: string[] = [];

beforeAll(async () => {
  const intake = await openIntakeBrowser("rp-intake", {
    viewport: PHONES[0],
    // A switch the test flips to slow file reads down, so the reading screen stays long enough
    // to be checked. Test-only: injected through the DevTools protocol, not part of the app.
    initScript: `(() => {
      const read = Blob.prototype.arrayBuffer;
      Blob.prototype.arrayBuffer = async function () {
        if (globalThis.__rpSlowReads) await new Promise((r) => setTimeout(r, 200));
        return read.call(this);
      };
    })()`,
  });
  ({ page, pageErrors } = intake);
  return intake.close;
});

/** The quality bar at 390×844 (axe, overflow, targets), then overflow and targets at 360×640. */
async function check(screen: string, language: string): Promise<void> {
  const label = `${language} ${screen}`;
  await page.setViewportSize(PHONES[0]);
  await expectQualityBar(page, `${label} 390×844`);
  if (shots) {
    mkdirSync(shots, { recursive: true });
    await page.screenshot({
      path: path.join(shots, `${language}-${screen}-390.png`),
      fullPage: true,
    });
  }
  await page.setViewportSize(PHONES[1]);
  expect(await horizontalOverflow(page), `${label} 360×640 overflow`).toBeLessThanOrEqual(0);
  expect(await smallTargets(page), `${label} 360×640 targets`).toEqual([]);
  if (shots) {
    await page.screenshot({ path: path.join(shots, `${language}-${screen}-360.png`) });
  }
  await page.setViewportSize(PHONES[0]);
}

describe.each(["en", "fr"])("the intake screens in %s", (language) => {
  it("pick, reading, which study, check, confirm: axe-clean, no sideways scroll, 44 px targets", async () => {
    await openUpload(page);
    await page.getByTestId("language").selectOption(language);
    expect(await page.evaluate<string>("document.documentElement.lang")).toBe(language);
    await check("pick", language);

    await page.evaluate("globalThis.__rpSlowReads = true");
    await page.getByTestId("folder-input").setInputFiles(CD);
    await screenOf(page, ["scanning"]);
    await check("scanning", language);
    await page.evaluate("globalThis.__rpSlowReads = false");

    expect(await screenOf(page, ["studies"], 60_000)).toBe("studies");
    await check("studies", language);

    await page.getByTestId("study-choice").first().click();
    await screenOf(page, ["review"]);
    await page.getByTestId("impression").fill("Compare with the previous CT.");
    await check("review", language);

    await page.getByTestId("send").click();
    await screenOf(page, ["confirm"]);
    await check("confirm", language);
    await page.getByTestId("gate-back").click();
    await screenOf(page, ["review"]);
  });

  it("photos alone (the patient form) and nothing to send", async () => {
    await openUpload(page);
    await page
      .getByTestId("camera-input")
      .setInputFiles(path.join(PHOTO_FIXTURES, "gray-baseline.jpg"));
    await screenOf(page, ["review"]);
    await page.getByTestId("photo-row").and(page.locator('[data-status="ok"]')).waitFor();
    await check("photos", language);

    // Continue without the patient's name and ID: the form says what is missing.
    await page.getByTestId("send").click();
    await page.getByTestId("review-error").waitFor();
    await check("photos-missing-patient", language);

    await openUpload(page);
    const text = { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("not DICOM") };
    expect(await pickFiles(page, [text])).toBe("empty");
    await page.getByTestId("rejected").locator("summary").click();
    await check("empty", language);
  });
});

it("the language chosen is kept on this device", async () => {
  await openUpload(page);
  await page.getByTestId("language").selectOption("fr");
  await page.reload();
  await page.getByTestId("file-input").waitFor({ state: "attached" });
  expect(await page.locator("h1").textContent()).toBe("Envoyer un examen");
  await page.getByTestId("language").selectOption("en");
  expect(await page.locator("h1").textContent()).toBe("Upload Study");
  expect(pageErrors).toEqual([]);
});
