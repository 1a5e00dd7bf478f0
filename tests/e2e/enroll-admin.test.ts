// Onboarding and the admin console, end to end: the development admin creates an enrollment code,
// a clinician's phone (a second browser) opens its link, enrolls with a name and password and
// sends a study to the real Orthanc; the admin then finds that upload in the audit log and on the
// dashboard, and revokes the phone, whose next API call signs it out with a plain message.
// Every screen on the way is checked with axe-core, at phone sizes, for sideways scrolling and
// for touch targets under 44 px.
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import axe from "axe-core";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { launchChromium, startTestStack, type TestStack } from "../support/stack";

const STUDY_DIR = path.resolve(import.meta.dirname, "../fixtures/dicom/study/dcmqi_ct_3slice_seg");
const FILES = ["01.dcm", "02.dcm", "03.dcm"].map((f) => path.join(STUDY_DIR, f));
const CLINICIAN = { name: "Amina Diallo", password: "lagos-clinic-2026" };
const PHONE = { width: 390, height: 844 };
const SMALL_PHONE = { width: 360, height: 640 };

/** Set E2E_SCREENSHOTS=dir to keep a screenshot of every screen checked. */
const shotsDir = process.env.E2E_SCREENSHOTS;
if (shotsDir) mkdirSync(shotsDir, { recursive: true });

const Violations = z.array(
  z.object({ id: z.string(), impact: z.string().nullable(), targets: z.array(z.string()) }),
);
const Layout = z.object({
  scrollWidth: z.number(),
  clientWidth: z.number(),
  small: z.array(z.string()),
  wide: z.array(z.string()),
});

/**
 * axe-core's violations on the page as it is now (injected through the DevTools protocol, which
 * the app's CSP does not govern), plus sideways scrolling and touch targets under 44 px.
 */
async function checkScreen(page: Page, name: string): Promise<void> {
  await page.evaluate(axe.source);
  const violations = Violations.parse(
    await page.evaluate(`axe.run(document).then((r) => r.violations.map((v) => ({
      id: v.id, impact: v.impact ?? null, targets: v.nodes.map((n) => n.target.join(" ")),
    })))`),
  );
  expect(violations, `axe on ${name}`).toEqual([]);
  if (shotsDir) {
    const size = page.viewportSize();
    const file = `${name}-${size?.width ?? 0}.png`.replace(/[^\w.-]+/g, "-");
    await page.screenshot({ path: path.join(shotsDir, file), fullPage: true });
  }
  const layout = Layout.parse(
    await page.evaluate(`(() => {
      const targets = document.querySelectorAll(
        "a, button, select, textarea, input:not([type=radio]):not([type=checkbox]):not(.visually-hidden), label.choice",
      );
      const small = [...targets].filter((el) => {
        const box = el.getBoundingClientRect();
        return box.width > 0 && box.height > 0 && (box.height < 44 || box.width < 44);
      }).map((el) => el.outerHTML.slice(0, 80));
      const root = document.documentElement;
      const wide = [...document.querySelectorAll("body *")]
        .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 0.5)
        .map((el) => el.outerHTML.slice(0, 80));
      return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, small, wide };
    })()`),
  );
  expect(layout.wide, `nothing wider than the screen on ${name}`).toEqual([]);
  expect(layout.scrollWidth, `no sideways scrolling on ${name}`).toBeLessThanOrEqual(
    layout.clientWidth,
  );
  expect(layout.small, `touch targets on ${name}`).toEqual([]);
}

/** Checks a screen at both phone sizes the app is designed for. */
async function checkPhoneSizes(page: Page, name: string): Promise<void> {
  for (const size of [SMALL_PHONE, PHONE]) {
    await page.setViewportSize(size);
    await checkScreen(page, name);
  }
}

const SessionCreated = z.object({ sessionId: z.string() });

/**
 * Picks the three files and sends them: the review screen's Send, then the confirmation gate's
 * when the intake screens ask for one. Resolves with the response that opened the session.
 */
async function sendStudy(page: Page) {
  await page.getByTestId("file-input").setInputFiles(FILES);
  const opened = page.waitForResponse(
    (r) => r.url().endsWith("/api/uploads") && r.request().method() === "POST",
    { timeout: 60_000 },
  );
  await page.getByTestId("send").click();
  const gate = page.getByTestId("confirm-send");
  const gateShown = gate.waitFor({ timeout: 30_000 }).then(
    () => true,
    () => false,
  );
  if (await Promise.race([gateShown, opened.then(() => false)])) await gate.click();
  return opened;
}

let stack: TestStack;
let adminBrowser: BrowserContext;
let clinicianBrowser: BrowserContext;
let admin: Page;
let phone: Page;
let clinicianProfile: string;
let enrollUrl = "";
let sessionId = "";
const pageErrors: string[] = [];

function watch(page: Page): void {
  page.on("pageerror", (error) => pageErrors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy/i.test(message.text())) {
      pageErrors.push(message.text());
    }
  });
}

beforeAll(async () => {
  stack = await startTestStack();
  const profiles = mkdtempSync(path.join(tmpdir(), "rp-enroll-"));
  clinicianProfile = path.join(profiles, "clinician");
  adminBrowser = await launchChromium(path.join(profiles, "admin"));
  clinicianBrowser = await launchChromium(clinicianProfile);
  admin = await adminBrowser.newPage();
  phone = await clinicianBrowser.newPage();
  await admin.setViewportSize(PHONE);
  await phone.setViewportSize(PHONE);
  watch(admin);
  watch(phone);
});

afterEach(async (context) => {
  if (!shotsDir || context.task.result?.state !== "fail") return;
  await admin?.screenshot({ path: path.join(shotsDir, "failed-admin.png"), fullPage: true });
  await phone?.screenshot({ path: path.join(shotsDir, "failed-phone.png"), fullPage: true });
});

afterAll(async () => {
  await adminBrowser?.close();
  await clinicianBrowser?.close();
  await stack?.stop();
});

describe("enrolling a phone by QR code, and what the admin sees", () => {
  it("the admin signs in and creates an enrollment code shown as a QR code and a link", async () => {
    await admin.goto(stack.appUrl);
    await admin.getByTestId("email").fill(stack.login.email);
    await admin.getByTestId("password").fill(stack.login.password);
    await admin.getByTestId("sign-in").click();
    await admin.getByTestId("admin-console").click();
    await admin.getByRole("heading", { name: "Dashboard" }).waitFor();

    await admin.getByRole("link", { name: "Codes" }).click();
    await admin.getByRole("heading", { name: "Enrollment codes" }).waitFor();
    await checkPhoneSizes(admin, "admin-codes");
    await admin.getByTestId("enrollment-person").fill(CLINICIAN.name);
    await admin.getByTestId("create-code").click();

    const created = admin.getByTestId("enrollment-created");
    await created.waitFor();
    expect(await created.textContent()).toContain(`Code for ${CLINICIAN.name}`);
    const qr = admin.locator("svg[data-testid=enrollment-qr]");
    expect(await qr.count()).toBe(1);
    expect(await qr.locator("path").getAttribute("d")).toMatch(/^M\d+ \d+h1v1h-1z/);
    enrollUrl = await admin.getByTestId("enrollment-link").inputValue();
    expect(enrollUrl).toMatch(
      new RegExp(`^${stack.appUrl.replace(/\./g, "\\.")}/enroll#[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$`),
    );
    await checkPhoneSizes(admin, "admin-code-created");
  });

  it("a second browser enrolls from the link and sends a study that the PACS receives", async () => {
    await phone.setViewportSize(SMALL_PHONE);
    await phone.goto(enrollUrl);
    await phone.getByRole("heading", { name: "Set up this device" }).waitFor();
    await checkPhoneSizes(phone, "enroll");

    // Too short a password is explained before anything is sent.
    await phone.getByTestId("enroll-name").fill(CLINICIAN.name);
    await phone.getByTestId("enroll-password").fill("short");
    await phone.getByTestId("enroll").click();
    await expect
      .poll(() => phone.locator(".field-error").textContent())
      .toContain("at least 10 characters");

    await phone.getByTestId("enroll-password").fill(CLINICIAN.password);
    await phone.getByTestId("enroll").click();
    await phone.getByRole("heading", { name: "You're set up" }).waitFor();
    expect(await phone.getByTestId("enrolled").textContent()).toContain(CLINICIAN.name);
    await phone.getByTestId("install-offer").waitFor();
    // The spent code is not left in the address bar.
    expect(new URL(phone.url()).hash).toBe("");
    await checkPhoneSizes(phone, "enrolled");

    await phone.getByTestId("upload-study").click();
    const opened = await sendStudy(phone);
    sessionId = SessionCreated.parse(await opened.json()).sessionId;
    const summary = phone.getByTestId("result-summary");
    await summary.waitFor({ timeout: 120_000 });
    expect(await summary.textContent()).toContain("Received by PACS: 3 of 3");
  });

  it("the same code does not work twice, and says whom to ask", async () => {
    const other = await adminBrowser.newPage();
    await other.setViewportSize(SMALL_PHONE);
    watch(other);
    // The page looks the code up as it opens: a spent code is explained before any typing.
    await other.goto(enrollUrl);
    const error = other.getByTestId("enroll-error");
    await error.waitFor();
    expect(await error.textContent()).toMatch(/already been used.*Ask .* for a new code/);
    await checkScreen(other, "enroll-used-code");
    await other.close();
  });

  it("the phone stays signed in after the app is closed, and signs in again with just a password", async () => {
    await clinicianBrowser.close();
    clinicianBrowser = await launchChromium(clinicianProfile);
    phone = await clinicianBrowser.newPage();
    await phone.setViewportSize(PHONE);
    watch(phone);
    await phone.goto(stack.appUrl);
    await phone.getByRole("heading", { name: `Hello, ${CLINICIAN.name}` }).waitFor();

    await phone.getByRole("button", { name: "Sign out" }).click();
    await phone.getByTestId("known-device").waitFor();
    expect(await phone.getByTestId("email").count()).toBe(0);
    await checkPhoneSizes(phone, "sign-in-known-device");
    await phone.getByTestId("password").fill(CLINICIAN.password);
    await phone.getByTestId("sign-in").click();
    await phone.getByRole("heading", { name: `Hello, ${CLINICIAN.name}` }).waitFor();
  });

  it("the admin finds the upload in the audit log and on the dashboard", async () => {
    await admin.getByRole("link", { name: "Audit" }).click();
    await admin.getByRole("heading", { name: "Audit log" }).waitFor();
    const delivered = admin.locator(
      `[data-testid=audit-row][data-event=session_delivered][data-session="${sessionId}"]`,
    );
    await expect
      .poll(
        async () => {
          await admin.getByTestId("audit-show").click();
          await admin.getByTestId("audit-table").waitFor();
          return delivered.count();
        },
        { timeout: 30_000 },
      )
      .toBe(1);
    const row = await delivered.textContent();
    expect(row).toContain(CLINICIAN.name);
    expect(row).toContain("3 files, 3 stored");
    await checkPhoneSizes(admin, "admin-audit");

    const download = admin.waitForEvent("download");
    await admin.getByTestId("audit-csv").click();
    const csv = await download;
    expect(csv.suggestedFilename()).toMatch(/^relaypacs-audit-\d{4}-\d{2}-\d{2}\.csv$/);

    await admin.getByRole("link", { name: "Dashboard" }).click();
    const uploads = admin.getByTestId("metric-uploads").locator(".big");
    await uploads.waitFor();
    expect(Number(await uploads.textContent())).toBeGreaterThanOrEqual(1);
    expect(await admin.getByTestId("metric-success").locator(".big").textContent()).toBe("100%");
    await checkPhoneSizes(admin, "admin-dashboard");

    for (const [link, heading] of [
      ["People", "People"],
      ["PACS", "PACS destination"],
    ] as const) {
      await admin.getByRole("link", { name: link, exact: true }).click();
      await admin.getByRole("heading", { name: heading, exact: true }).waitFor();
      await admin.locator(".card").first().waitFor();
      await checkPhoneSizes(admin, `admin-${link.toLowerCase()}`);
    }
  });

  it("the admin revokes the phone, and its next API call signs it out in plain words", async () => {
    await admin.getByRole("link", { name: "Devices" }).click();
    const row = admin.locator(`[data-testid=device-row][data-user="${CLINICIAN.name}"]`);
    await row.waitFor();
    await checkPhoneSizes(admin, "admin-devices");
    await row.getByTestId("revoke-device").click();
    await row.getByTestId("revoke-device-confirm").click();
    await expect.poll(() => row.textContent()).toContain("Revoked");

    await phone.getByTestId("upload-study").click();
    expect((await sendStudy(phone)).status()).toBe(401);
    const notice = phone.getByTestId("signed-out-notice");
    await notice.waitFor({ timeout: 30_000 });
    const text = await notice.textContent();
    expect(text).toContain("You were signed out");
    expect(text).toContain("removed from RelayPACS by your administrator");
    // The revoked device's id is forgotten: the form asks for an email again.
    await phone.getByTestId("email").waitFor();
    await checkPhoneSizes(phone, "signed-out-revoked");

    expect(pageErrors).toEqual([]);
  });
});
