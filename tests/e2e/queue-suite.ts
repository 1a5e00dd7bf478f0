// Set-up shared by the offline queue's browser tests: one stack for the test file, the Chromium
// instances its tests launch (each with its own profile, so a test can close and reopen "the
// device"), and the check that a study arrived in Orthanc byte for byte. Vitest-only (it registers
// hooks); the steps on the app's screens are in tests/support/queue-page.ts, which the chaos
// harness also runs outside Vitest.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect } from "vitest";
import {
  launchChromium,
  orthancInstanceBytes,
  signIn,
  startTestStack,
  type SyntheticStudy,
  type TestStack,
} from "../support/stack";

export interface QueueSuite {
  /** The file's stack (started in beforeAll). */
  readonly stack: TestStack;
  /** A Chromium on the profile folder, closed with the stack if the test has not. */
  launch: (profile: string) => Promise<BrowserContext>;
  /** A Chromium with its profile in `dir`, and a page signed in on the home screen. */
  openApp: (dir: string) => Promise<Page>;
}

/** Registers the file's beforeAll/afterAll; call at the top level of a test file. */
export function queueSuite(): QueueSuite {
  let started: TestStack | undefined;
  const browsers: BrowserContext[] = [];
  const stack = () => {
    if (!started) throw new Error("the test stack is not started (used outside a test?)");
    return started;
  };
  const launch = async (profile: string) => {
    const browser = await launchChromium(profile);
    browsers.push(browser);
    return browser;
  };

  beforeAll(async () => {
    started = await startTestStack();
  });
  afterAll(async () => {
    for (const browser of browsers) await browser.close().catch(() => undefined);
    await started?.stop();
  });

  return {
    get stack() {
      return stack();
    },
    launch,
    openApp: async (dir) => {
      const browser = await launch(path.join(dir, "p"));
      const page = await browser.newPage();
      await signIn(page, stack());
      return page;
    },
  };
}

/** Every instance of the study is in Orthanc, byte-identical to the file written. */
export async function expectInOrthanc(stack: TestStack, study: SyntheticStudy): Promise<void> {
  for (const [i, file] of study.files.entries()) {
    const stored = await orthancInstanceBytes(stack.orthanc, study.sopUids[i]!);
    expect(stored?.equals(readFileSync(file)), `${path.basename(file)} differs`).toBe(true);
  }
}
