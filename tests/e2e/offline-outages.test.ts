// The offline queue through outages on the far side: `wrangler dev` stopped and started again in
// the middle of an upload (its state persisted), and the PACS down for a while after the upload.
// Either way the study arrives by itself, and the queue screen says what is going on meanwhile.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  launchChromium,
  orthancInstanceBytes,
  signIn,
  startTestStack,
  writeSyntheticStudy,
  type SyntheticStudy,
  type TestStack,
} from "../support/stack";

async function confirmStudy(page: Page, files: string[]): Promise<void> {
  await page.getByTestId("upload-study").click();
  await page.getByTestId("file-input").setInputFiles(files);
  const send = page.getByTestId("send");
  const choice = page.getByTestId("study-choice").first();
  await send.or(choice).first().waitFor({ timeout: 60_000 });
  if (await choice.isVisible()) await choice.click();
  await send.click();
  await page.getByTestId("confirm-send").click();
}

async function expectInOrthanc(stack: TestStack, study: SyntheticStudy): Promise<void> {
  for (const [i, file] of study.files.entries()) {
    const stored = await orthancInstanceBytes(stack.orthanc, study.sopUids[i]!);
    expect(stored?.equals(readFileSync(file)), `${path.basename(file)} differs`).toBe(true);
  }
}

const title = (page: Page) => page.getByTestId("job-title").first().textContent();
const detail = (page: Page) => page.getByTestId("job-detail").first().textContent();

let stack: TestStack;
const browsers: BrowserContext[] = [];

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  for (const browser of browsers) await browser.close().catch(() => undefined);
  await stack?.stop();
});

async function openApp(dir: string): Promise<Page> {
  const browser = await launchChromium(path.join(dir, "p"));
  browsers.push(browser);
  const page = await browser.newPage();
  await signIn(page, stack);
  return page;
}

describe("the offline queue through outages", () => {
  it("wrangler stopped and restarted mid-upload: the upload resumes and is delivered", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "rp-relay-"));
    const study = writeSyntheticStudy(path.join(dir, "study"), 2, 3_000_000);
    const page = await openApp(dir);
    const cdp = await page.context().newCDPSession(page);
    // 4 Mbit/s: long enough an upload to stop the relay in its middle.
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 20,
      downloadThroughput: 500_000,
      uploadThroughput: 500_000,
    });
    let puts = 0;
    const stopped = new Promise<void>((resolve) => {
      page.on("request", (request) => {
        if (request.method() === "PUT" && ++puts === 3) {
          setTimeout(() => void stack.stopRelay().then(resolve), 500);
        }
      });
    });
    await confirmStudy(page, study.files);
    await stopped;
    await page.goto(`${stack.appUrl}/queue`); // the shell comes from the service worker
    await expect.poll(() => title(page), { timeout: 60_000 }).toMatch(/^Waiting for/);

    await stack.startRelay();
    const receipt = page.getByTestId("queue-receipt").first();
    await receipt.waitFor({ timeout: 150_000 });
    expect(await receipt.getAttribute("data-outcome")).toBe("delivered");
    await expectInOrthanc(stack, study);
  });

  it("the PACS down for a while: the screen says so, and the study arrives when it is back", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "rp-pacs-"));
    const study = writeSyntheticStudy(path.join(dir, "study"), 2, 500_000);
    const page = await openApp(dir);
    await stack.stopPacs();
    try {
      await confirmStudy(page, study.files);
      await page.goto(`${stack.appUrl}/queue`);
      await expect.poll(() => title(page), { timeout: 60_000 }).toBe("Sent to PACS");
      await expect
        .poll(() => detail(page), { timeout: 90_000 })
        .toContain("The PACS could not be reached");
    } finally {
      await stack.startPacs();
    }
    const receipt = page.getByTestId("queue-receipt").first();
    await receipt.waitFor({ timeout: 150_000 });
    expect(await receipt.getAttribute("data-outcome")).toBe("delivered");
    expect(await receipt.getByTestId("receipt-title").textContent()).toMatch(
      /^Confirmed by PACS (\d+) of \1$/,
    );
    await expectInOrthanc(stack, study);
  });
});
