// The clinic's queue policy and what the dashboard learns from the devices' job reports, end to
// end: the admin turns on encryption at rest, a study confirmed offline is stored in IndexedDB
// as ciphertext (not the DICOM bytes), it is delivered when the network returns, the device
// reports the job, and the dashboard shows the offline queue completion figure. Then the admin
// tests the PACS connection from the destination screen and reads the answer in plain words
// (reachable, nothing listening, credentials refused), and sends again from the dashboard an
// upload the PACS refused once the destination is fixed. Last, the admin asks new people for a PIN
// and a clinician's phone enrolls with one.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { confirmStudy } from "../support/queue-page";
import { indexedDbText, launchChromium, startTestStack, type TestStack } from "../support/stack";

const STUDY_DIR = path.resolve(import.meta.dirname, "../fixtures/dicom/study/dcmqi_ct_3slice_seg");
const FILES = ["01.dcm", "02.dcm", "03.dcm"].map((f) => path.join(STUDY_DIR, f));

let stack: TestStack;
let browser: BrowserContext;
let page: Page;
let pacsUrl = "";
const pageErrors: string[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  browser = await launchChromium(path.join(mkdtempSync(path.join(tmpdir(), "rp-policy-")), "p"));
  page = await browser.newPage();
  page.on("pageerror", (error) => pageErrors.push(error.message));
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function signInAsAdmin(): Promise<void> {
  await page.goto(stack.appUrl);
  const email = page.getByTestId("email");
  const password = page.getByTestId("password");
  await email.or(password).first().waitFor();
  if (await email.isVisible()) await email.fill(stack.login.email);
  await password.fill(stack.login.password);
  await page.getByTestId("sign-in").click();
  await page.getByTestId("upload-study").waitFor();
}

/** The first bytes of every stored file Blob in the queue's IndexedDB, base64. */
async function storedFileHeads(): Promise<Buffer[]> {
  const heads: unknown = await page.evaluate(`(async () => {
    const db = await new Promise((resolve, reject) => {
      const request = indexedDB.open("relaypacs-queue");
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const records = await new Promise((resolve, reject) => {
      const request = db.transaction("files").objectStore("files").getAll();
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    db.close();
    const out = [];
    for (const record of records) {
      const bytes = new Uint8Array(await record.blob.slice(0, 4096).arrayBuffer());
      out.push(btoa(String.fromCharCode(...bytes)));
    }
    return out;
  })()`);
  return z
    .array(z.string())
    .parse(heads)
    .map((b64) => Buffer.from(b64, "base64"));
}

describe("the admin's queue policy and the dashboard's offline figures", () => {
  it("the admin turns on encryption at rest for the clinic's queued studies", async () => {
    await signInAsAdmin();
    await page.getByTestId("admin-console").click();
    await page.getByRole("link", { name: "Devices" }).click();
    const encrypt = page.getByTestId("policy-encrypt");
    await encrypt.waitFor();
    expect(await encrypt.isChecked()).toBe(false);
    await encrypt.check();
    await expect
      .poll(() => page.getByText("Saved. Studies queued on your clinic's devices").count())
      .toBe(1);
    // The policy reaches a device with its next sign-in (or token refresh).
    await page.goto(stack.appUrl);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByTestId("password").waitFor();
    // Signing out forgets the stored sign-in asynchronously: navigating before it is written
    // away would bring the old sign-in (and its policy) back on the next page load.
    await expect
      .poll(async () => (await indexedDbText(page)).text.includes('"accessToken"'))
      .toBe(false);
    await signInAsAdmin();
  });

  it("a study confirmed offline is kept as ciphertext, then delivered when the network returns", async () => {
    await browser.setOffline(true);
    await confirmStudy(page, FILES);
    await expect
      .poll(async () => (await indexedDbText(page)).blobs, { timeout: 30_000 })
      .toBeGreaterThanOrEqual(FILES.length);

    const { text } = await indexedDbText(page);
    expect(text).toContain('"encrypted":true');
    const heads = await storedFileHeads();
    expect(heads.length).toBeGreaterThanOrEqual(FILES.length);
    const plains = FILES.map((f) => readFileSync(f).subarray(0, 4096));
    for (const head of heads) {
      // A DICOM Part 10 file says "DICM" at byte 128; ciphertext does not, nor does it hold any
      // run of the original files' first bytes.
      expect(head.subarray(128, 132).toString("latin1")).not.toBe("DICM");
      for (const plain of plains) expect(head.includes(plain.subarray(132, 260))).toBe(false);
    }

    await browser.setOffline(false);
    await page.goto(`${stack.appUrl}/queue`);
    const receipt = page.getByTestId("queue-receipt").first();
    await receipt.waitFor({ timeout: 150_000 });
    expect(await receipt.getAttribute("data-outcome")).toBe("delivered");
    expect((await indexedDbText(page)).blobs).toBe(0);
  });

  it("the dashboard shows the share of offline-queued studies delivered", async () => {
    await page.goto(`${stack.appUrl}/admin`);
    const offline = page.getByTestId("metric-offline");
    // The device reports the job once the queue has settled it; reload until it is in.
    await expect
      .poll(
        async () => {
          await page.reload();
          await offline.waitFor();
          return offline.locator(".big").textContent();
        },
        { timeout: 60_000 },
      )
      .toBe("100%");
    expect(await offline.locator(".hint").textContent()).toContain("1 of 1 study");
    const retries = page.getByTestId("metric-client-retries");
    expect(await retries.locator(".hint").textContent()).toContain("over 1 study");
    expect(
      await page.getByRole("heading", { name: "Studies queued offline per day" }).count(),
    ).toBe(1);
  });

  it("'test connection' on the PACS screen says the PACS is reachable, in plain words", async () => {
    await page.getByRole("link", { name: "PACS", exact: true }).click();
    await page.getByRole("heading", { name: "PACS destination", exact: true }).waitFor();
    await page.getByTestId("test-connection").click();
    const result = page.getByTestId("connection-result");
    await result.waitFor({ timeout: 30_000 });
    expect(await result.getAttribute("data-verdict")).toBe("reachable");
    expect(await result.textContent()).toContain("answered a DICOMweb query");

    // Pointed at a port where nothing listens, the same button says so.
    pacsUrl = await page.locator("#url").inputValue();
    await page.locator("#url").fill("http://127.0.0.1:9/dicom-web");
    await page.getByTestId("save-destination").click();
    await page.getByText("Saved. The next delivery uses it.").waitFor();
    await page.getByTestId("test-connection").click();
    await expect.poll(() => result.getAttribute("data-verdict")).toBe("refused");
    expect(await result.textContent()).toContain("could not connect");
  });

  it("an upload the PACS refused (wrong user name) is sent again from the dashboard once fixed", async () => {
    await page.locator("#url").fill(pacsUrl);
    const username = page.locator("#username");
    const rightName = await username.inputValue();
    await username.fill("nobody-here");
    await page.getByTestId("save-destination").click();
    await page.getByText("Saved. The next delivery uses it.").waitFor();
    await page.getByTestId("test-connection").click();
    const result = page.getByTestId("connection-result");
    await expect.poll(() => result.getAttribute("data-verdict")).toBe("auth_rejected");
    expect(await result.textContent()).toContain("refused RelayPACS's credentials");

    await page.goto(stack.appUrl);
    const opened = page.waitForResponse(
      (r) => r.url().endsWith("/api/uploads") && r.request().method() === "POST",
      { timeout: 60_000 },
    );
    await confirmStudy(page, FILES);
    // Leaving the page before the study is stored would lose it: wait until the queue sends it.
    expect((await opened).status()).toBe(201);
    // The device's queue hears the PACS's refusal and says the study needs attention.
    await page.goto(`${stack.appUrl}/queue`);
    const job = page.locator("[data-testid=queue-job][data-state=attention]");
    await job.waitFor({ timeout: 90_000 });
    expect(await job.getByTestId("job-title").textContent()).toBeTruthy();
    await page.goto(`${stack.appUrl}/admin`);
    const row = page.getByTestId("attention-row").first();
    await expect
      .poll(
        async () => {
          await page.reload();
          await page.getByRole("heading", { name: "Needs attention" }).waitFor();
          return row.count();
        },
        { timeout: 90_000 },
      )
      .toBe(1);

    await page.getByRole("link", { name: "PACS", exact: true }).click();
    await page.locator("#username").fill(rightName);
    await page.getByTestId("save-destination").click();
    await page.getByText("Saved. The next delivery uses it.").waitFor();
    await page.getByRole("link", { name: "Dashboard" }).click();
    await row.getByRole("button", { name: "Send again" }).click();
    await page.getByText(/^Sent again\./).waitFor();
    await expect
      .poll(
        async () => {
          await page.reload();
          await page.getByRole("heading", { name: "Needs attention" }).waitFor();
          return page.getByText("Nothing: every finished upload reached the PACS.").count();
        },
        { timeout: 90_000 },
      )
      .toBe(1);
    expect(pageErrors).toEqual([]);
  });

  it("with the PIN policy, a clinician's enroll page asks for a numeric PIN and enrolls with one", async () => {
    await page.getByRole("link", { name: "Devices" }).click();
    await page.getByTestId("policy-secret-pin").check();
    await page.getByText("Saved. People who enroll from now on choose a PIN.").waitFor();
    await page.getByRole("link", { name: "Codes" }).click();
    await page.getByTestId("create-code").click();
    const link = await page.getByTestId("enrollment-link").inputValue();

    const phoneProfile = path.join(mkdtempSync(path.join(tmpdir(), "rp-pin-")), "p");
    const phoneBrowser = await launchChromium(phoneProfile);
    try {
      const phone = await phoneBrowser.newPage();
      phone.on("pageerror", (error) => pageErrors.push(error.message));
      await phone.goto(link);
      const pin = phone.getByTestId("enroll-pin");
      await pin.waitFor();
      expect(await pin.getAttribute("inputmode")).toBe("numeric");
      expect(await pin.getAttribute("autocomplete")).toBe("new-password");
      expect(await phone.getByTestId("enroll-password").count()).toBe(0);
      await phone.getByTestId("enroll-name").fill("Kofi Mensah");
      await pin.fill("48392");
      await phone.getByTestId("enroll").click();
      await expect
        .poll(() => phone.locator(".field-error").textContent())
        .toBe("Choose a PIN of 6 to 12 digits.");
      await pin.fill("483920");
      await phone.getByTestId("enroll").click();
      await phone.getByRole("heading", { name: "You're set up" }).waitFor();
      expect(await phone.getByTestId("enrolled").textContent()).toContain("Kofi Mensah");
    } finally {
      await phoneBrowser.close();
    }
    expect(pageErrors).toEqual([]);
  });
});
