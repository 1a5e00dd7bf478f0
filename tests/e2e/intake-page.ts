// Shared steps of the intake browser tests: sign in, open Upload Study, pick files, tell which
// screen is showing, run axe-core, check for horizontal scrolling, read values back from Orthanc.
// Page code runs as strings: this project's tests type-check without the DOM library.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import axe from "axe-core";
import type { BrowserContext, Page } from "playwright-core";
import { expect } from "vitest";
import {
  launchChromium,
  orthancFetch,
  startTestStack,
  type OrthancAccess,
  type TestStack,
} from "../support/stack";

export const ROOT_FIXTURES = path.resolve(import.meta.dirname, "../fixtures/dicom");
export const INTAKE_FIXTURES = path.resolve(
  import.meta.dirname,
  "../../web/tests/fixtures/intake/corpus",
);
export const ARCHIVE_FIXTURES = path.resolve(
  import.meta.dirname,
  "../../web/tests/fixtures/archives",
);
export const PHOTO_FIXTURES = path.resolve(import.meta.dirname, "../../web/tests/fixtures/photos");

export type Screen = "pick" | "scanning" | "empty" | "studies" | "review" | "confirm" | "result";

/** Which intake screen shows, by the element only that screen has. */
const MARKERS: Record<Screen, string> = {
  pick: '[data-testid="file-input"]',
  scanning: '[data-testid="scan-progress"]',
  empty: '[data-testid="empty"]',
  studies: '[data-testid="study-choice"]',
  review: '[data-testid="send"]',
  confirm: '[data-testid="confirm-send"]',
  result: '[data-testid="result-summary"]',
};

let login: TestStack["login"] | undefined;

export const PHONE = { width: 390, height: 844 } as const;

export interface IntakeBrowser {
  stack: TestStack;
  browser: BrowserContext;
  page: Page;
  /** Uncaught errors of the page, for a test to expect none. */
  pageErrors: string[];
  close: () => Promise<void>;
}

export interface IntakeBrowserOptions {
  /** Signed in as the dev login on the home screen (default), or left on a blank page. */
  signedIn?: boolean;
  /** The page's size: a phone by default; null keeps Chromium's own. */
  viewport?: { width: number; height: number } | null;
  /** Script run in every page before the app's, for a test-only switch. */
  initScript?: string;
}

/**
 * The stack and one Chromium page on it, for a browser test file's beforeAll (which can return
 * `close` as its teardown). `name` prefixes the temporary profile folder.
 */
export async function openIntakeBrowser(
  name: string,
  options: IntakeBrowserOptions = {},
): Promise<IntakeBrowser> {
  const stack = await startTestStack();
  let browser: BrowserContext | undefined;
  try {
    browser = await launchChromium(path.join(mkdtempSync(path.join(tmpdir(), `${name}-`)), "p"));
    if (options.initScript !== undefined) await browser.addInitScript(options.initScript);
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    const viewport = options.viewport === undefined ? PHONE : options.viewport;
    if (viewport) await page.setViewportSize(viewport);
    if (options.signedIn !== false) await signIn(page, stack);
    const opened = browser;
    const close = async () => {
      await opened.close();
      await stack.stop();
    };
    return { stack, browser, page, pageErrors, close };
  } catch (error) {
    // Nothing is left running when the setup fails half-way.
    await browser?.close().catch(() => undefined);
    await stack.stop();
    throw error;
  }
}

export async function signIn(page: Page, stack: TestStack): Promise<void> {
  login = stack.login;
  await page.goto(stack.appUrl);
  await page.getByTestId("email").fill(stack.login.email);
  await page.getByTestId("password").fill(stack.login.password);
  await page.getByTestId("sign-in").click();
  await page.getByTestId("upload-study").waitFor();
}

/** A fresh Upload Study screen (a reload), signing in again if the app asks. */
export async function openUpload(page: Page): Promise<void> {
  await page.goto(new URL("/upload", page.url()).href);
  const form = page.getByTestId("email");
  const upload = page.getByTestId("file-input");
  await form.or(upload).first().waitFor({ state: "attached" });
  if ((await form.count()) > 0 && login) {
    await form.fill(login.email);
    await page.getByTestId("password").fill(login.password);
    await page.getByTestId("sign-in").click();
    await page.getByTestId("upload-study").click();
  }
  await upload.waitFor({ state: "attached" });
}

/** Waits until one of `screens` shows; returns which. */
export async function screenOf(page: Page, screens: Screen[], timeout = 30_000): Promise<Screen> {
  const selector = screens.map((s) => MARKERS[s]).join(", ");
  await page.locator(selector).first().waitFor({ state: "attached", timeout });
  for (const screen of screens) {
    if ((await page.locator(MARKERS[screen]).count()) > 0) return screen;
  }
  throw new Error(`none of ${screens.join(", ")} shows`);
}

/** Picks files through the file picker and waits for the scan to end. */
export async function pickFiles(
  page: Page,
  files: string[] | { name: string; mimeType: string; buffer: Buffer }[],
): Promise<Screen> {
  await page.getByTestId("file-input").setInputFiles(files);
  return screenOf(page, ["empty", "studies", "review"]);
}

/** Picks a folder through the webkitdirectory input (the fallback of showDirectoryPicker). */
export async function pickFolder(page: Page, folder: string): Promise<Screen> {
  await page.getByTestId("folder-input").setInputFiles(folder);
  return screenOf(page, ["empty", "studies", "review"]);
}

/** Back to the first screen from any intake screen. */
export async function startOver(page: Page): Promise<void> {
  await openUpload(page);
}

/** axe-core's violations on the page as it is now: "rule: target" lines. */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(axe.source);
  const violations = await page.evaluate<{ id: string; nodes: { target: string[] }[] }[]>(
    "axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => ({ target: n.target.map(String) })) })))",
  );
  return violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(" ")}`));
}

/** Whether the page is wider than the viewport (it must never scroll sideways). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate<number>(
    "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - document.documentElement.clientWidth",
  );
}

/** Buttons, links, inputs and summaries smaller than 44 px on a side (visible ones). */
export async function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`[...document.querySelectorAll(
      "button, a[href], select, textarea, summary, label.button, input:not(.visually-hidden):not([type=checkbox]), label:has(input[type=checkbox])")]
    .filter((el) => el.getClientRects().length > 0)
    .filter((el) => { const r = el.getBoundingClientRect(); return r.height < 44 || r.width < 44; })
    .map((el) => el.tagName.toLowerCase() + " " + (el.textContent || el.getAttribute("aria-label") || "").trim().slice(0, 40))`);
}

/** Every intake screen's quality bar at once: axe clean, no sideways scroll, big targets. */
export async function expectQualityBar(page: Page, label: string): Promise<void> {
  expect(await axeViolations(page), `${label}: axe`).toEqual([]);
  expect(await horizontalOverflow(page), `${label}: horizontal overflow (px)`).toBeLessThanOrEqual(
    0,
  );
  expect(await smallTargets(page), `${label}: touch targets under 44 px`).toEqual([]);
}

/** Orthanc's instances of a study, by Study Instance UID. */
export async function orthancStudyInstances(
  orthanc: OrthancAccess,
  studyUid: string,
): Promise<{ ID: string; MainDicomTags: Record<string, string> }[]> {
  const lookup = await orthancFetch(orthanc, "/tools/lookup", { method: "POST", body: studyUid });
  const hits = await lookup.json<{ ID: string; Type: string }[]>();
  const study = hits.find((hit) => hit.Type === "Study");
  if (!study) return [];
  const instances = await orthancFetch(orthanc, `/studies/${study.ID}/instances`);
  return instances.json<{ ID: string; MainDicomTags: Record<string, string> }[]>();
}

/** The file Orthanc stored for an instance. */
export async function orthancFile(orthanc: OrthancAccess, instanceId: string): Promise<Buffer> {
  const response = await orthancFetch(orthanc, `/instances/${instanceId}/file`);
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

/** dicom3tools' dciodvfy on bytes: its "Error" lines (none means the object meets its IOD). */
export function dciodvfyErrors(bytes: Uint8Array): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), "rp-dciodvfy-"));
  try {
    const file = path.join(dir, "object.dcm");
    writeFileSync(file, bytes);
    const run = spawnSync("/usr/bin/dciodvfy", [file], { encoding: "utf8" });
    if (run.error) throw run.error;
    return `${run.stdout}\n${run.stderr}`
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line.startsWith("Error"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
