// What the browser end-to-end tests run against: a private Orthanc and `wrangler dev` on free
// ports with throwaway state, and Debian's Chromium driven by playwright-core. Node only.
// The PWA must be built first (scripts/test.mjs does it before the e2e suite).
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { startStack, type DevLogin } from "../../scripts/lib/dev-stack.mjs";
import { startOrthanc } from "../../scripts/lib/orthanc.mjs";

export interface OrthancAccess {
  url: string;
  username: string;
  password: string;
}

export interface TestStack {
  appUrl: string;
  orthanc: OrthancAccess;
  login: DevLogin;
  stateDir: string;
  stop(): Promise<void>;
}

export async function startTestStack(): Promise<TestStack> {
  const stateDir = mkdtempSync(path.join(tmpdir(), "relaypacs-e2e-"));
  const orthanc = await startOrthanc({ stateDir: path.join(stateDir, "orthanc") });
  try {
    const stack = await startStack({ stateDir: path.join(stateDir, "app"), orthanc });
    return {
      appUrl: stack.url,
      orthanc: { url: orthanc.url, username: orthanc.username, password: orthanc.password },
      login: stack.login,
      stateDir,
      async stop() {
        await stack.stop();
        await orthanc.stop();
        rmSync(stateDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await orthanc.stop();
    rmSync(stateDir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Chromium with a persistent profile: closing the context and launching again on the same
 * `profileDir` is "the app closed and reopened" (IndexedDB and the service worker survive).
 * HOME points beside the profile, since Chromium also writes into $HOME/.config and .cache.
 */
export async function launchChromium(profileDir: string): Promise<BrowserContext> {
  const home = `${path.resolve(profileDir)}.home`;
  mkdirSync(home, { recursive: true });
  return chromium.launchPersistentContext(profileDir, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    env: { ...process.env, HOME: home },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A request to Orthanc's own REST API or its DICOMweb root, e.g. `/dicom-web/studies`. */
export function orthancFetch(
  orthanc: OrthancAccess,
  pathname: string,
  init: RequestInit = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  const credentials = Buffer.from(`${orthanc.username}:${orthanc.password}`).toString("base64");
  headers.set("authorization", `Basic ${credentials}`);
  return fetch(`${orthanc.url}${pathname}`, { ...init, headers });
}
