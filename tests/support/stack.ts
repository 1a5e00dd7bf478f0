// What the browser end-to-end tests run against: a private Orthanc and `wrangler dev` on free
// ports with throwaway state, and Debian's Chromium driven by playwright-core. Node only.
// The PWA must be built first (scripts/test.mjs does it before the e2e suite).
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { z } from "zod";
import { startStack, type DevLogin } from "../../scripts/lib/dev-stack.mjs";
import { startOrthanc } from "../../scripts/lib/orthanc.mjs";
import {
  CT_IMAGE_STORAGE,
  element,
  elementHeader,
  filePreamble,
  newUid,
} from "../../scripts/lib/synthetic-dicom.mjs";

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
  /** `wrangler dev`'s state: dev.env (secrets) and wrangler/ (the --persist-to directory). */
  appDir: string;
  stop(): Promise<void>;
  /** Stops the PACS (Orthanc); `startPacs` brings it back on the same port with its studies. */
  stopPacs(): Promise<void>;
  startPacs(): Promise<void>;
  /** Stops `wrangler dev`; `startRelay` starts it again on the same port and persisted state. */
  stopRelay(): Promise<void>;
  startRelay(): Promise<void>;
}

export interface TestStackOptions {
  /** Extra worker variables, e.g. `{ MAX_CHUNK_BYTES: "262144" }` for small chunks. */
  vars?: Record<string, string>;
  /** A copy of the worker's sources to run instead of the repo's (see startStack). */
  sourceDir?: string;
}

export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const stateDir = mkdtempSync(path.join(tmpdir(), "relaypacs-e2e-"));
  const orthancDir = path.join(stateDir, "orthanc");
  const appDir = path.join(stateDir, "app");
  let orthanc = await startOrthanc({ stateDir: orthancDir });
  try {
    const { sourceDir } = options;
    // A short forward watchdog, so a forward lost to a relay restart is re-sent within a test.
    const vars = { FORWARD_WATCHDOG_SECONDS: "20", ...options.vars };
    let stack = await startStack({ stateDir: appDir, orthanc, vars, sourceDir });
    const orthancPort = Number(new URL(orthanc.url).port);
    const appPort = Number(new URL(stack.url).port);
    return {
      appUrl: stack.url,
      orthanc: { url: orthanc.url, username: orthanc.username, password: orthanc.password },
      login: stack.login,
      stateDir,
      appDir,
      async stop() {
        await stack.stop();
        await orthanc.stop();
        rmSync(stateDir, { recursive: true, force: true });
      },
      stopPacs: () => orthanc.stop(),
      async startPacs() {
        orthanc = await startOrthanc({ stateDir: orthancDir, httpPort: orthancPort });
      },
      stopRelay: () => stack.stop(),
      async startRelay() {
        stack = await startStack({
          stateDir: appDir,
          port: appPort,
          orthanc,
          vars,
          sourceDir,
          restart: true,
        });
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

// ---- Helpers for the offline-queue browser tests (tests/e2e/offline-*.test.ts) ----------------

export interface SyntheticStudy {
  files: string[];
  sopUids: string[];
  bytes: number;
  patientName: string;
  patientId: string;
}

/**
 * Writes a valid CT study of `count` files of about `bytesPerFile` each (explicit VR little
 * endian, random pixels, fresh UIDs) into `dir`. The patient is made up, but the test treats its
 * name and id as patient data that must not outlive the upload.
 */
export function writeSyntheticStudy(dir: string, count: number, bytesPerFile: number) {
  mkdirSync(dir, { recursive: true });
  const side = Math.max(8, Math.floor(Math.sqrt((bytesPerFile - 2048) / 2) / 2) * 2);
  const [studyUid, seriesUid, frameUid] = [newUid(), newUid(), newUid()];
  const patientName = `QUEUETEST^PATIENT${randomBytes(3).toString("hex").toUpperCase()}`;
  const patientId = `QT-${randomBytes(4).toString("hex")}`;
  const study: SyntheticStudy = { files: [], sopUids: [], bytes: 0, patientName, patientId };
  for (let i = 1; i <= count; i++) {
    const sopUid = newUid();
    const data = [
      element(0x0008, 0x0016, "UI", CT_IMAGE_STORAGE),
      element(0x0008, 0x0018, "UI", sopUid),
      element(0x0008, 0x0020, "DA", "20240101"),
      element(0x0008, 0x0030, "TM", "120000"),
      element(0x0008, 0x0060, "CS", "CT"),
      element(0x0008, 0x1030, "LO", "QUEUE TEST STUDY"),
      element(0x0010, 0x0010, "PN", patientName),
      element(0x0010, 0x0020, "LO", patientId),
      element(0x0020, 0x000d, "UI", studyUid),
      element(0x0020, 0x000e, "UI", seriesUid),
      element(0x0020, 0x0011, "IS", "1"),
      element(0x0020, 0x0013, "IS", String(i)),
      element(0x0020, 0x0032, "DS", `-250\\-250\\${(-i * 1.25).toFixed(2)}`),
      element(0x0020, 0x0037, "DS", "1\\0\\0\\0\\1\\0"),
      element(0x0020, 0x0052, "UI", frameUid),
      element(0x0028, 0x0002, "US", 1),
      element(0x0028, 0x0004, "CS", "MONOCHROME2"),
      element(0x0028, 0x0010, "US", side),
      element(0x0028, 0x0011, "US", side),
      element(0x0028, 0x0030, "DS", "0.5\\0.5"),
      element(0x0028, 0x0100, "US", 16),
      element(0x0028, 0x0101, "US", 16),
      element(0x0028, 0x0102, "US", 15),
      element(0x0028, 0x0103, "US", 0),
      elementHeader(0x7fe0, 0x0010, "OW", side * side * 2),
      randomBytes(side * side * 2),
    ];
    const file = path.join(dir, `CT${String(i).padStart(3, "0")}.dcm`);
    const bytes = Buffer.concat([filePreamble({ sopUid }), ...data]);
    writeFileSync(file, bytes);
    study.files.push(file);
    study.sopUids.push(sopUid);
    study.bytes += bytes.length;
  }
  return study;
}

/** The bytes Orthanc stores for the instance with this SOP Instance UID, or null. */
export async function orthancInstanceBytes(
  orthanc: OrthancAccess,
  sopInstanceUid: string,
): Promise<Buffer | null> {
  const lookup = await orthancFetch(orthanc, "/tools/lookup", {
    method: "POST",
    body: sopInstanceUid,
  });
  const hits = z.array(z.object({ ID: z.string(), Type: z.string() })).parse(await lookup.json());
  const instance = hits.find((h) => h.Type === "Instance");
  if (!instance) return null;
  const stored = await orthancFetch(orthanc, `/instances/${instance.ID}/file`);
  return stored.ok ? Buffer.from(await stored.arrayBuffer()) : null;
}

/** Signs in on the home page with the development login (if not signed in already). */
export async function signIn(page: Page, stack: TestStack): Promise<void> {
  await page.goto(stack.appUrl);
  const email = page.getByTestId("email");
  const home = page.getByTestId("upload-study");
  await email.or(home).first().waitFor();
  if (await home.isVisible()) return;
  await email.fill(stack.login.email);
  await page.getByTestId("password").fill(stack.login.password);
  await page.getByTestId("sign-in").click();
  await home.waitFor();
}

/** Every IndexedDB database of the page's origin as text (Blobs as their size), for PHI checks. */
export async function indexedDbText(page: Page): Promise<{ text: string; blobs: number }> {
  const dump: unknown = await page.evaluate(`(async () => {
    let blobs = 0;
    const replacer = (_key, value) => {
      if (value instanceof Blob) { blobs++; return { blob: value.size }; }
      if (value instanceof CryptoKey) return "CryptoKey";
      return value;
    };
    const out = {};
    for (const { name } of await indexedDB.databases()) {
      const db = await new Promise((resolve, reject) => {
        const request = indexedDB.open(name);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      out[name] = {};
      for (const store of db.objectStoreNames) {
        out[name][store] = await new Promise((resolve, reject) => {
          const request = db.transaction(store).objectStore(store).getAll();
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
      }
      db.close();
    }
    return { text: JSON.stringify(out, replacer), blobs };
  })()`);
  return z.object({ text: z.string(), blobs: z.number() }).parse(dump);
}
