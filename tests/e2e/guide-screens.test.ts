// The pictures of docs/clinician-guide.md and docs/admin-guide.md, taken from the real app (wrangler
// dev, Orthanc, Chromium) on the way through each screen the guides describe, and written into
// docs/images/ under the names the guides use when GUIDE_IMAGES=update (`npm run guides`); in
// `npm test` they go to a temporary directory, so a test run leaves the checkout untouched.
// Each screen is also held to what the guides say it says, so the test fails when a screen changes
// meaning and the guide would be wrong. Patients are public test data (pydicom's "Doe^...") or
// made up here ("GUIDE^Test").
import { cpSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, startTestStack, type TestStack } from "../support/stack";
import { INTAKE_FIXTURES, PHOTO_FIXTURES, screenOf } from "./intake-page";

const IMAGES =
  process.env.GUIDE_IMAGES === "update"
    ? path.resolve(import.meta.dirname, "../../docs/images")
    : mkdtempSync(path.join(tmpdir(), "rp-guide-images-"));
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
/** A long screen is cut (the guide shows its top, the text says the rest). */
const MAX_SHOT_HEIGHT = { phone: 2 * PHONE.height, desktop: 1.5 * DESKTOP.height };
/** The guides' pictures stay small (PNG at device scale 1; the busiest screens are near this). */
const MAX_SHOT_BYTES = 125_000;
/** pydicom's test CD: studies of made-up patients (Doe^Archibald, Doe^Peter). */
const PYDICOM_CD = path.join(INTAKE_FIXTURES, "dicomdir/pydicom_dicomdirtests");
/** Two of its studies, copied into a folder of their own (the whole CD holds six). */
const CD_STUDIES = ["77654033/CR1", "77654033/CR2", "77654033/CR3", "98892001"];
const PHOTO = path.join(PHOTO_FIXTURES, "gray-baseline.jpg");
const CLINICIAN = { name: "Sam Example", password: "guide-password-2026" };
const PHOTO_PATIENT = { family: "GUIDE", given: "Test", id: "GUIDE-0001" };
/** The phone is shown as an iPhone (its user agent), so the install offer gives Safari's steps. */
const IPHONE_UA =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
/** An unset worker secret: the destination that names it cannot work (a misconfiguration). */
const MISSING_SECRET = "PACS_GUIDE_PASSWORD";

let stack: TestStack;
let adminBrowser: BrowserContext;
let phoneBrowser: BrowserContext;
let admin: Page;
let phone: Page;
let enrollUrl = "";
let profiles = "";
let cd = "";
const shots: { name: string; bytes: number }[] = [];
const pageErrors: string[] = [];

/** Writes docs/images/<name>.png: the whole screen, cut at MAX_SHOT_HEIGHT. */
async function shot(page: Page, name: string): Promise<void> {
  const size = page.viewportSize() ?? PHONE;
  const height = await page.evaluate<number>("document.documentElement.scrollHeight");
  const maxHeight = size.width > PHONE.width ? MAX_SHOT_HEIGHT.desktop : MAX_SHOT_HEIGHT.phone;
  const file = path.join(IMAGES, `${name}.png`);
  // No focus ring or caret left from typing: the picture shows the screen as the reader sees it.
  await page.evaluate(
    "document.activeElement instanceof HTMLElement && document.activeElement.blur()",
  );
  await page.screenshot({
    path: file,
    fullPage: true,
    clip: { x: 0, y: 0, width: size.width, height: Math.min(height, maxHeight) },
    animations: "disabled",
    caret: "hide",
    scale: "css",
  });
  const bytes = statSync(file).size;
  shots.push({ name, bytes });
  expect(bytes, `${name}.png size`).toBeLessThan(MAX_SHOT_BYTES);
}

/** Writes docs/images/<name>.png of one part of the screen (a section further down). */
async function shotOf(part: Locator, name: string): Promise<void> {
  const file = path.join(IMAGES, `${name}.png`);
  await part.screenshot({ path: file, animations: "disabled", caret: "hide", scale: "css" });
  const bytes = statSync(file).size;
  shots.push({ name, bytes });
  expect(bytes, `${name}.png size`).toBeLessThan(MAX_SHOT_BYTES);
}

/** The page's visible text (what a person reads), one space between words. */
async function visibleText(page: Page): Promise<string> {
  return (await page.locator("body").innerText()).replace(/\s+/g, " ");
}

/** Every phrase is on screen, word for word (waiting a little for a screen still loading). */
async function expectSays(page: Page, phrases: (string | RegExp)[]): Promise<void> {
  const missing = async () => {
    const text = await visibleText(page);
    return phrases
      .filter((p) => (typeof p === "string" ? !text.includes(p) : !p.test(text)))
      .map(String);
  };
  await expect.poll(missing, { timeout: 15_000, message: "phrases not on screen" }).toEqual([]);
}

function watch(page: Page): void {
  page.on("pageerror", (error) => pageErrors.push(error.message));
}

/** Admin console section by its link in the console's own navigation. */
async function adminSection(link: string, heading: string): Promise<void> {
  await admin
    .getByRole("navigation", { name: "Admin console" })
    .getByRole("link", { name: link, exact: true })
    .click();
  await admin.getByRole("heading", { name: heading, exact: true }).waitFor();
}

/** Pictures of the admin screen showing now: `<name>-phone.png`, `<name>-desktop.png`. */
async function adminShots(name: string, sizes: ("phone" | "desktop")[]): Promise<void> {
  for (const size of sizes) {
    await admin.setViewportSize(size === "phone" ? PHONE : DESKTOP);
    await shot(admin, `${name}-${size}`);
  }
  await admin.setViewportSize(PHONE);
}

beforeAll(async () => {
  mkdirSync(IMAGES, { recursive: true });
  stack = await startTestStack();
  profiles = mkdtempSync(path.join(tmpdir(), "rp-guide-"));
  cd = path.join(profiles, "CD");
  for (const part of CD_STUDIES)
    cpSync(path.join(PYDICOM_CD, part), path.join(cd, part), { recursive: true });
  adminBrowser = await launchChromium(path.join(profiles, "admin"));
  phoneBrowser = await launchChromium(path.join(profiles, "phone"));
  admin = await adminBrowser.newPage();
  phone = await phoneBrowser.newPage();
  await admin.setViewportSize(PHONE);
  await phone.setViewportSize(PHONE);
  // A touch screen: no hover, a coarse pointer (the desktop-only drop zone hides, as on a phone).
  const cdp = await phoneBrowser.newCDPSession(phone);
  await cdp.send("Emulation.setUserAgentOverride", { userAgent: IPHONE_UA, platform: "iPhone" });
  await cdp.send("Emulation.setTouchEmulationEnabled", { enabled: true, maxTouchPoints: 5 });
  // Test-only: Chromium offers its own install prompt, which Safari never does; hiding it from the
  // app (a listener registered before the app's) makes the install offer show Safari's steps.
  await phoneBrowser.addInitScript(
    "addEventListener('beforeinstallprompt', (e) => e.stopImmediatePropagation())",
  );
  watch(admin);
  watch(phone);
});

/** Set E2E_SCREENSHOTS=dir to keep both browsers' screens when a step fails. */
afterEach(async (context) => {
  const dir = process.env.E2E_SCREENSHOTS;
  if (!dir || context.task.result?.state !== "fail") return;
  mkdirSync(dir, { recursive: true });
  await admin?.screenshot({ path: path.join(dir, "guide-failed-admin.png"), fullPage: true });
  await phone?.screenshot({ path: path.join(dir, "guide-failed-phone.png"), fullPage: true });
});

afterAll(async () => {
  if (shots.length > 0) {
    console.log(
      `guide screenshots (${IMAGES}):\n` +
        shots.map((s) => `  ${s.name}.png ${(s.bytes / 1024).toFixed(0)} KB`).join("\n"),
    );
  }
  await adminBrowser?.close();
  await phoneBrowser?.close();
  await stack?.stop();
  if (process.env.GUIDE_IMAGES !== "update") rmSync(IMAGES, { recursive: true, force: true });
  if (profiles) rmSync(profiles, { recursive: true, force: true });
});

describe("the screens of the clinician's and the admin's guides", () => {
  it("sign-in, and an enrollment code shown as a QR code and a link", async () => {
    await admin.goto(stack.appUrl);
    await admin.getByTestId("email").waitFor();
    await expectSays(admin, ["Sign in", "Email", "Password"]);
    await shot(admin, "sign-in");

    await admin.getByTestId("email").fill(stack.login.email);
    await admin.getByTestId("password").fill(stack.login.password);
    await admin.getByTestId("sign-in").click();
    await admin.getByTestId("admin-console").click();
    await admin.getByRole("heading", { name: "Dashboard" }).waitFor();

    await adminSection("Codes", "Enrollment codes");
    await expectSays(admin, [
      "A code lets one person set up their phone or computer. It works once.",
      "Who is it for? (optional)",
      "An uploader: sends studies",
      "An administrator: also manages the clinic",
      "The code works for",
    ]);
    await admin.getByTestId("enrollment-person").fill(CLINICIAN.name);
    await adminShots("admin-code-new", ["phone"]);
    await admin.getByTestId("create-code").click();
    await admin.getByTestId("enrollment-created").waitFor();
    await admin.locator("svg[data-testid=enrollment-qr]").waitFor();
    await expectSays(admin, [
      `Code for ${CLINICIAN.name}`,
      "Ask them to scan this with their phone's camera. It works once, until",
      "Or send them the link",
      "Copy link",
    ]);
    enrollUrl = await admin.getByTestId("enrollment-link").inputValue();
    expect(enrollUrl).toMatch(/\/enroll#[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$/);
    await adminShots("admin-code-qr", ["phone"]);

    await admin.getByRole("button", { name: "Done" }).click();
    const row = admin.getByTestId("enrollment-row").first();
    await row.waitFor();
    expect(await row.innerText()).toContain("Waiting to be used");
    await adminShots("admin-codes", ["desktop"]);
  });

  it("the phone opens the link, sets itself up and is offered Add to Home Screen", async () => {
    expect(await phone.evaluate<boolean>("matchMedia('(hover: none)').matches")).toBe(true);
    await phone.goto(enrollUrl);
    await phone.getByRole("heading", { name: "Set up this device" }).waitFor();
    await expectSays(phone, [
      "Your clinic's administrator invited you to send studies with RelayPACS from this device.",
      "Your name",
      "Choose a password",
      "At least 10 characters. You will use it to sign in on this device.",
    ]);
    await phone.getByTestId("enroll-name").fill(CLINICIAN.name);
    await phone.getByTestId("enroll-password").fill(CLINICIAN.password);
    await shot(phone, "enroll");

    await phone.getByTestId("enroll").click();
    await phone.getByRole("heading", { name: "You're set up" }).waitFor();
    await phone.getByTestId("install-offer").waitFor();
    await expectSays(phone, [
      `This device is signed in as ${CLINICIAN.name}. You can send studies now.`,
      "Add to Home Screen",
      "Put RelayPACS on your Home Screen to open it like any other app, even without a network.",
      "Tap the Share button at the bottom (or top) of Safari.",
      "Scroll down and tap Add to Home Screen.",
    ]);
    await shot(phone, "enrolled-add-to-home-screen");

    // The same code a second time: a plain refusal that says whom to ask.
    const again = await phoneBrowser.newPage();
    await again.setViewportSize(PHONE);
    watch(again);
    // The page looks the code up as it opens: a spent code is explained before any typing.
    await again.goto(enrollUrl);
    await again.getByTestId("enroll-error").waitFor();
    await expectSays(again, [
      "This code does not work",
      /already been used.*Ask .* for a new code/,
    ]);
    await shot(again, "enroll-code-used");
    await again.close();
  });

  it("signing in again on the phone asks only for the password", async () => {
    await phone.goto(stack.appUrl);
    await phone.getByRole("button", { name: "Sign out" }).click();
    await phone.getByTestId("known-device").waitFor();
    expect(await phone.getByTestId("email").count()).toBe(0);
    await expectSays(phone, [`Signing in as ${CLINICIAN.name}`, "Not you? Use email instead"]);
    await shot(phone, "sign-in-this-device");
    await phone.getByTestId("password").fill(CLINICIAN.password);
    await phone.getByTestId("sign-in").click();
    await phone.getByRole("heading", { name: `Hello, ${CLINICIAN.name}` }).waitFor();
    await expectSays(phone, [
      "Send a patient's images from this device to your PACS.",
      "Upload Study",
    ]);
    expect(await phone.getByTestId("admin-console").count()).toBe(0);
    await shot(phone, "home");
  });

  it("Upload Study: pick a folder, choose the study, check it, confirm, received by the PACS", async () => {
    await phone.getByTestId("upload-study").click();
    await phone.getByTestId("file-input").waitFor({ state: "attached" });
    await expectSays(phone, [
      "Choose what to send: DICOM files, a folder from a CD or USB stick, a ZIP or RAR archive, or photos.",
      "Choose files",
      "DICOM files, ZIP or RAR archives, JPEG or PNG photos.",
      "Choose a folder",
      "Take a photo",
    ]);
    // Dropping files is for a mouse: the phone does not offer it.
    expect(await visibleText(phone)).not.toContain("Or drop files or a folder here.");
    await shot(phone, "upload-pick");

    await phone.getByTestId("folder-input").setInputFiles(cd);
    expect(await screenOf(phone, ["studies"], 60_000)).toBe("studies");
    await expectSays(phone, [
      "Which study first?",
      "These files hold 2 studies. Each study is checked and sent on its own: choose one.",
      "Doe, Archibald",
      "Doe, Peter",
    ]);
    await shot(phone, "upload-which-study");

    await phone.getByTestId("study-choice").filter({ hasText: "Doe, Archibald" }).click();
    await screenOf(phone, ["review"]);
    await phone
      .getByTestId("impression")
      .fill("Cough for three weeks. Compare with last year's film.");
    await expectSays(phone, [
      "Check the study",
      "Patient",
      "Doe, Archibald",
      "Series to send",
      "Untick a series to leave it out.",
      "Clinical impression (optional)",
      "It goes to the PACS as a text report in the same study.",
      "Continue",
    ]);
    await shot(phone, "upload-review");

    await phone.getByTestId("send").click();
    await screenOf(phone, ["confirm"]);
    const question = await phone.getByTestId("gate-question").innerText();
    expect(question).toMatch(/^Send \d+ images? of Doe, Archibald to the PACS\?$/);
    await expectSays(phone, [
      "Ready to send?",
      "Your clinical impression goes with them, as a text report in the same study.",
      "Yes, send",
      "Go back",
    ]);
    await shot(phone, "upload-confirm");

    await phone.getByTestId("confirm-send").click();
    const summary = phone.getByTestId("result-summary");
    await summary.waitFor({ timeout: 120_000 });
    const [, stored, files] = /^Received by PACS: (\d+) of (\d+)$/.exec(
      (await summary.innerText()).trim(),
    ) ?? [null, "", "?"];
    expect(stored).toBe(files);
    const outcomes = phone.getByTestId("file-outcome");
    expect(await outcomes.count()).toBe(Number(files));
    for (const outcome of await outcomes.all()) {
      expect(await outcome.getAttribute("data-outcome")).toBe("ok");
      expect(await outcome.innerText()).toContain("Received by PACS");
    }
    await expectSays(phone, [/Check the next study from these files \(1 is left\)/]);
    await shot(phone, "upload-received");
  });

  it("offline: the study waits on the phone, then goes by itself and leaves a receipt", async () => {
    await phone.getByTestId("next-study").click();
    await screenOf(phone, ["review"]);
    await expectSays(phone, ["Doe, Peter"]);
    await phone.getByTestId("send").click();
    await screenOf(phone, ["confirm"]);

    // Offline only once the service worker is active, i.e. has cached the app (install
    // finished): a phone that loses the network in its first minute, before that, cannot
    // open another screen, and this test is about the queue, not about that.
    await phone.evaluate("navigator.serviceWorker.ready.then(() => undefined)");
    await phoneBrowser.setOffline(true);
    try {
      await phone.getByTestId("confirm-send").click();
      const note = phone.getByTestId("queue-note");
      await expect.poll(() => note.innerText(), { timeout: 60_000 }).toBe("Waiting for network");
      await expectSays(phone, [
        "You can leave this screen: the study stays in the upload queue and goes on while the app is open.",
        "See the upload queue",
      ]);
      await shot(phone, "upload-waiting-for-network");

      await phone.getByTestId("nav-queue").click();
      await phone.getByRole("heading", { name: "Upload queue" }).waitFor();
      await phone.getByTestId("offline-banner").waitFor();
      const job = phone.getByTestId("queue-job").first();
      await expect.poll(() => job.getByTestId("job-title").innerText()).toBe("Waiting for network");
      await expectSays(phone, [
        "No network. Queued studies are safe on this device and upload by themselves when the network is back.",
        "Doe, Peter",
        "It uploads by itself when the network is back; you can close the app.",
        "Cancel upload",
      ]);
      await shot(phone, "queue-offline");
    } finally {
      await phoneBrowser.setOffline(false);
    }
    const receipts = phone.getByTestId("queue-receipt");
    await expect.poll(() => receipts.count(), { timeout: 120_000 }).toBe(2);
    await phone.getByTestId("queue-empty").waitFor();
    for (const receipt of await receipts.all()) {
      expect(await receipt.getAttribute("data-outcome")).toBe("delivered");
      const [, done, all] = /(?:Confirmed|Received) by PACS (\d+) of (\d+)/.exec(
        await receipt.innerText(),
      ) ?? [null, "", "?"];
      expect(done).toBe(all);
      expect(await receipt.innerText()).toMatch(/ · reference [0-9a-z-]{8}$/);
    }
    // After the PACS confirmed, nothing on the screen names the patient.
    const text = await visibleText(phone);
    expect(text).not.toMatch(/Doe|Archibald|Peter/);
    await expectSays(phone, ["Nothing is waiting to be sent.", "Sent"]);
    await shot(phone, "queue-sent-receipts");
  });

  it("a destination that cannot work: the phone says what happened, the admin sends it again", async () => {
    await adminSection("PACS", "PACS destination");
    const form = admin.getByTestId("destination-form");
    await form.waitFor();
    await expectSays(admin, [
      "Your clinic uses the default PACS of this RelayPACS.",
      "How to send",
      "DICOMweb address",
      "Sign-in to the PACS",
      "Batch size (MB)",
      "Images per batch",
      "Kinds of images the PACS takes",
      "Check that the PACS holds every image before calling it delivered",
    ]);
    await form.getByLabel("Name", { exact: true }).fill("Main hospital PACS");
    await form.getByLabel("Sign-in to the PACS").selectOption("basic");
    await form.getByLabel("User name").fill("relaypacs");
    await form.getByLabel("Secret holding the password").fill(MISSING_SECRET);
    // Not reached: the missing secret stops every delivery before any request is made.
    await form.getByLabel("DICOMweb address").fill("https://pacs.example.org/dicom-web");
    await expectSays(admin, ["Passwords and tokens are never stored here"]);
    await adminShots("admin-destination", ["phone", "desktop"]);
    await admin.getByTestId("save-destination").click();
    await expect
      .poll(() => admin.getByRole("status").allInnerTexts())
      .toContain("Saved. The next delivery uses it.");

    // The phone sends photos of a made-up patient; the relay cannot reach the PACS as configured.
    await phone.goto(new URL("/upload", stack.appUrl).href);
    await phone.getByTestId("camera-input").setInputFiles(PHOTO);
    await screenOf(phone, ["review"]);
    await phone.getByTestId("photo-row").and(phone.locator('[data-status="ok"]')).waitFor();
    await phone.getByTestId("patient-family").fill(PHOTO_PATIENT.family);
    await phone.getByTestId("patient-given").fill(PHOTO_PATIENT.given);
    await phone.getByTestId("patient-id-input").fill(PHOTO_PATIENT.id);
    await expectSays(phone, [
      "Photos (1)",
      "The photos are sent as a new study of the patient named below.",
      "Who is in these photos?",
      "No DICOM images came with these photos, so the PACS needs the patient's name and ID.",
    ]);
    await shot(phone, "upload-photo");
    await phone.getByTestId("send").click();
    await screenOf(phone, ["confirm"]);
    await expectSays(phone, ["It includes 1 photo, sent as DICOM images."]);
    await phone.getByTestId("confirm-send").click();

    await phone.getByTestId("nav-queue").click();
    const job = phone.getByTestId("queue-job").first();
    await expect.poll(() => job.getAttribute("data-state"), { timeout: 120_000 }).toBe("attention");
    const title = await job.getByTestId("job-title").innerText();
    expect(title).toMatch(/^Needs attention: (\d+) of \1 files? not received$/);
    // Every file of this study was refused, so the words do not claim that others arrived.
    expect(await job.getByTestId("job-detail").innerText()).toContain(
      'each file says why. "Retry failed files" sends them again.',
    );
    // Each file the PACS did not get, with the reason in words.
    expect(await job.innerText()).toContain(
      `needs the secret ${MISSING_SECRET}, which is not set. Ask your administrator to set it`,
    );
    await expectSays(phone, ["Retry failed files", "Dismiss", "Cancel upload"]);
    await shot(phone, "queue-needs-attention");

    // The admin sees it on the dashboard, puts the default PACS back and sends it again.
    await adminSection("Dashboard", "Dashboard");
    const attention = admin.getByTestId("attention-row");
    await expect.poll(() => attention.count(), { timeout: 30_000 }).toBe(1);
    expect(await attention.innerText()).toContain("Send again");
    await expectSays(admin, [
      "Needs attention",
      "Uploads the PACS did not take in full. Fix the cause (often the destination), then send them again",
    ]);
    const section = admin.locator("section", {
      has: admin.getByRole("heading", { name: "Needs attention" }),
    });
    await shotOf(section, "admin-dashboard-needs-attention-phone");

    await adminSection("PACS", "PACS destination");
    await expectSays(admin, ["Your clinic has a destination of its own."]);
    await admin.getByRole("button", { name: "Use the default PACS" }).click();
    await admin.getByRole("button", { name: "Use the default", exact: true }).click();
    await admin.getByText("Your clinic uses the default PACS of this RelayPACS.").waitFor();

    await adminSection("Dashboard", "Dashboard");
    await attention.getByRole("button", { name: "Send again" }).click();
    await expect
      .poll(() => admin.getByRole("status").allInnerTexts(), { timeout: 30_000 })
      .toContainEqual(expect.stringMatching(/^Sent again\./));
    await expect
      .poll(
        async () => {
          await adminSection("Audit", "Audit log");
          await adminSection("Dashboard", "Dashboard");
          await admin.getByTestId("metric-uploads").waitFor();
          return attention.count();
        },
        { timeout: 60_000 },
      )
      .toBe(0);
    await expectSays(admin, ["Nothing: every finished upload reached the PACS."]);
  });

  it("the dashboard, the audit log with its filter and CSV, people and devices", async () => {
    await expectSays(admin, [
      "Uploads delivered in full",
      "Time to a new device's first upload",
      "Retries per study",
      "Uploads per day",
    ]);
    await adminShots("admin-dashboard", ["phone", "desktop"]);

    await adminSection("Audit", "Audit log");
    await expectSays(admin, [
      "Who did what and how each upload ended. It never holds patient data.",
    ]);
    await admin.getByLabel("Outcome").selectOption({ label: "Delivered" });
    await admin.getByTestId("audit-show").click();
    const rows = admin.getByTestId("audit-row");
    // The two studies from the folder and the photo the admin sent again.
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(3);
    for (const row of await rows.all()) expect(await row.innerText()).toContain("Delivered");
    const audit = await visibleText(admin);
    expect(audit).toContain(CLINICIAN.name);
    expect(audit).not.toMatch(/Doe|Archibald|Peter|GUIDE/);
    await adminShots("admin-audit", ["phone", "desktop"]);
    const download = admin.waitForEvent("download");
    await admin.getByTestId("audit-csv").click();
    expect((await download).suggestedFilename()).toMatch(
      /^relaypacs-audit-\d{4}-\d{2}-\d{2}\.csv$/,
    );

    await adminSection("People", "People");
    await admin.getByTestId("user-row").first().waitFor();
    await expectSays(admin, [CLINICIAN.name, "Uploader", "This is you.", "Disable"]);
    await adminShots("admin-people", ["phone"]);

    await adminSection("Devices", "Devices");
    const device = admin.locator(`[data-testid=device-row][data-user="${CLINICIAN.name}"]`);
    await device.waitFor();
    await device.getByTestId("revoke-device").click();
    await expectSays(admin, [
      `It is signed out at once; to use it again, ${CLINICIAN.name} needs a new enrollment code`,
    ]);
    await adminShots("admin-devices-revoke", ["phone"]);
    await device.getByTestId("revoke-device-confirm").click();
    await expect.poll(() => device.innerText()).toContain("Revoked");
  });

  it("a revoked phone is signed out with the reason", async () => {
    // The phone still holds a sign-in from before; its next request to the server ends it.
    await phone.goto(new URL("/upload", stack.appUrl).href);
    await phone.getByTestId("camera-input").setInputFiles(PHOTO);
    await screenOf(phone, ["review"]);
    await phone.getByTestId("patient-family").fill(PHOTO_PATIENT.family);
    await phone.getByTestId("patient-id-input").fill(PHOTO_PATIENT.id);
    await phone.getByTestId("send").click();
    await phone.getByTestId("confirm-send").click();
    const notice = phone.getByTestId("signed-out-notice");
    await notice.waitFor({ timeout: 60_000 });
    await expectSays(phone, [
      "You were signed out",
      "This device was removed from RelayPACS by your administrator. Ask them for a new enrollment code to use it again.",
    ]);
    await shot(phone, "signed-out");
    expect(pageErrors).toEqual([]);
  });
});
