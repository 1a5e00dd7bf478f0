// Test support: runs dicom3tools' dciodvfy (does the object meet its IOD?) and dcmtk's dcmdump
// (does a second parser read it?) on bytes we wrote. Node only; never imported by the app.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const DCIODVFY = "/usr/bin/dciodvfy";
const DCMDUMP = "/usr/bin/dcmdump";

export interface Verdict {
  errors: string[];
  warnings: string[];
}

/** dciodvfy's findings: lines starting "Error" and "Warning". */
export function dciodvfy(bytes: Uint8Array): Verdict {
  const output = run(DCIODVFY, [], bytes);
  const lines = output.split("\n").map((line) => line.trim());
  return {
    errors: lines.filter((line) => line.startsWith("Error")),
    warnings: lines.filter((line) => line.startsWith("Warning")),
  };
}

const printed = new Set<string>();

/** Prints dciodvfy warnings not printed before in this test file (they repeat across objects). */
export function printNewWarnings(label: string, verdict: Verdict): void {
  const fresh = verdict.warnings.filter((line) => !printed.has(line));
  for (const line of fresh) printed.add(line);
  if (fresh.length) console.info(`dciodvfy, ${label}:\n  ${fresh.join("\n  ")}`);
}

/** dcmdump's listing; throws when dcmdump cannot read the file. */
export function dcmdump(bytes: Uint8Array): string {
  return run(DCMDUMP, ["-q", "+L"], bytes, true);
}

function run(tool: string, args: string[], bytes: Uint8Array, mustSucceed = false): string {
  const dir = mkdtempSync(path.join(tmpdir(), "dicom-write-"));
  try {
    const file = path.join(dir, "object.dcm");
    writeFileSync(file, bytes);
    const result = spawnSync(tool, [...args, file], { encoding: "utf8" });
    if (result.error) {
      throw new Error(`${tool} did not run (apt-get install dicom3tools dcmtk)`, {
        cause: result.error,
      });
    }
    if (mustSucceed && result.status !== 0) {
      throw new Error(`${path.basename(tool)} could not read the file:\n${result.stderr}`);
    }
    return `${result.stdout}\n${result.stderr}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
