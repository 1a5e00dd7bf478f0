// The offline queue through outages on the far side: `wrangler dev` stopped and started again in
// the middle of an upload (its state persisted), and the PACS down for a while after the upload.
// Either way the study arrives by itself, and the queue screen says what is going on meanwhile.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { confirmStudy } from "../support/queue-page";
import { writeSyntheticStudy } from "../support/stack";
import { expectInOrthanc, queueSuite } from "./queue-suite";

const title = (page: Page) => page.getByTestId("job-title").first().textContent();
const detail = (page: Page) => page.getByTestId("job-detail").first().textContent();

const suite = queueSuite();
const { openApp } = suite;

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
          setTimeout(() => void suite.stack.stopRelay().then(resolve), 500);
        }
      });
    });
    await confirmStudy(page, study.files);
    await stopped;
    await page.goto(`${suite.stack.appUrl}/queue`); // the shell comes from the service worker
    await expect.poll(() => title(page), { timeout: 60_000 }).toMatch(/^Waiting for/);

    await suite.stack.startRelay();
    const receipt = page.getByTestId("queue-receipt").first();
    await receipt.waitFor({ timeout: 150_000 });
    expect(await receipt.getAttribute("data-outcome")).toBe("delivered");
    await expectInOrthanc(suite.stack, study);
  });

  it("the PACS down for a while: the screen says so, and the study arrives when it is back", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "rp-pacs-"));
    const study = writeSyntheticStudy(path.join(dir, "study"), 2, 500_000);
    const page = await openApp(dir);
    await suite.stack.stopPacs();
    try {
      await confirmStudy(page, study.files);
      await page.goto(`${suite.stack.appUrl}/queue`);
      await expect.poll(() => title(page), { timeout: 60_000 }).toBe("Sent to PACS");
      await expect
        .poll(() => detail(page), { timeout: 90_000 })
        .toContain("The PACS could not be reached");
    } finally {
      await suite.stack.startPacs();
    }
    const receipt = page.getByTestId("queue-receipt").first();
    await receipt.waitFor({ timeout: 150_000 });
    expect(await receipt.getAttribute("data-outcome")).toBe("delivered");
    expect(await receipt.getByTestId("receipt-title").textContent()).toMatch(
      /^Confirmed by PACS (\d+) of \1$/,
    );
    await expectInOrthanc(suite.stack, study);
  });
});
