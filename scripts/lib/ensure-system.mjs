// Makes a fresh Debian machine able to run RelayPACS locally: the Debian packages (Orthanc, its
// DICOMweb plugin, dcmtk, dicom3tools, Chromium, socat, sqlite3) and the npm dependencies.
// Installs them only when missing; never upgrades anything that is already there.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export const DEBIAN_PACKAGES = [
  "orthanc",
  "orthanc-dicomweb",
  "dcmtk",
  "dicom3tools",
  "chromium",
  "socat",
  "sqlite3",
];

/** What each need is satisfied by: an absolute path, or a command looked up on PATH. */
const REQUIREMENTS = {
  orthanc: "/usr/sbin/Orthanc",
  dicomweb: "/usr/share/orthanc/plugins/libOrthancDicomWeb.so",
  chromium: "/usr/bin/chromium",
  dciodvfy: "dciodvfy",
  storescp: "storescp",
  socat: "socat",
  // The fault matrix reads wrangler's local R2 index (no route lists the bucket, on purpose).
  sqlite3: "sqlite3",
};
export const ALL_NEEDS = Object.keys(REQUIREMENTS);

const repoRoot = path.resolve(import.meta.dirname, "../..");

function onPath(command) {
  return (process.env.PATH ?? "")
    .split(path.delimiter)
    .some((dir) => dir !== "" && fs.existsSync(path.join(dir, command)));
}

/** The needs (keys of REQUIREMENTS) that this machine does not satisfy. */
export function missingNeeds(needs = ALL_NEEDS) {
  return needs.filter((need) => {
    const what = REQUIREMENTS[need];
    if (what === undefined) throw new Error(`unknown system requirement: ${need}`);
    return path.isAbsolute(what) ? !fs.existsSync(what) : !onPath(what);
  });
}

function sh(command, args, env = process.env) {
  const result = spawnSync(command, args, { stdio: "inherit", env, cwd: repoRoot });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed (exit ${result.status ?? result.signal})`);
  }
}

/**
 * Installs the Debian packages when any of `needs` is missing: as root with apt-get; otherwise
 * prints the one command to run and exits 1.
 */
export function ensureSystem(needs = ALL_NEEDS) {
  const missing = missingNeeds(needs);
  if (missing.length === 0) return;
  const install = ["install", "-y", "--no-install-recommends", ...DEBIAN_PACKAGES];
  if (process.getuid?.() !== 0) {
    console.error(`Missing system tools (${missing.join(", ")}). Install them with:`);
    console.error(`  sudo apt-get ${install.join(" ")}`);
    process.exit(1);
  }
  console.log(`Installing Debian packages (missing: ${missing.join(", ")})...`);
  sh("apt-get", ["update"]);
  sh("apt-get", install, { ...process.env, DEBIAN_FRONTEND: "noninteractive" });
  const still = missingNeeds(needs);
  if (still.length > 0) throw new Error(`still missing after apt-get install: ${still.join(", ")}`);
}

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * Installs the locked npm dependencies when node_modules is missing or older than
 * package-lock.json (npm writes node_modules/.package-lock.json at the end of every install, so
 * its age is node_modules' age). `npm install`, not `npm ci`: the registry this project is built
 * against lacks most of rollup's optional per-platform packages, so the lockfile cannot list them
 * and `npm ci` refuses it as "out of sync"; `npm install` installs exactly the locked versions.
 */
export function ensureNodeModules() {
  const lock = mtime(path.join(repoRoot, "package-lock.json"));
  const installed = mtime(path.join(repoRoot, "node_modules/.package-lock.json"));
  if (installed !== undefined && (lock === undefined || installed >= lock)) return;
  console.log("Installing npm dependencies...");
  sh("npm", ["install", "--no-audit", "--no-fund"]);
}
