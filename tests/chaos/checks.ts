// What the fault matrix checks after each scenario, against the real components: Orthanc (every
// instance there once, byte-identical to its source, via /tools/lookup and /instances/{id}/file),
// R2 (wrangler's local bucket on disk: no chunk object of a delivered session left) and
// IndexedDB (no patient data and no file bytes once the queue is done with the study).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { z } from "zod";
import { indexedDbText, orthancFetch, type OrthancAccess } from "../support/stack";
import type { ChaosStudy } from "./studies";

const Hits = z.array(z.object({ ID: z.string(), Type: z.string() }));

async function lookup(orthanc: OrthancAccess, uid: string, type: string): Promise<string[]> {
  const response = await orthancFetch(orthanc, "/tools/lookup", { method: "POST", body: uid });
  return Hits.parse(await response.json())
    .filter((h) => h.Type === type)
    .map((h) => h.ID);
}

export interface InstanceCheck {
  /** Source instances Orthanc holds byte-identical. */
  identical: number;
  /** Source instances Orthanc does not hold. */
  missing: number;
  /** Held, but with other bytes. */
  altered: number;
  /** Copies beyond one per SOP Instance UID, plus instances in the study that have no source. */
  duplicated: number;
}

export async function checkOrthanc(
  orthanc: OrthancAccess,
  study: ChaosStudy,
): Promise<InstanceCheck> {
  const check: InstanceCheck = { identical: 0, missing: 0, altered: 0, duplicated: 0 };
  for (const [i, sopUid] of study.sopUids.entries()) {
    const ids = await lookup(orthanc, sopUid, "Instance");
    if (ids.length === 0) {
      check.missing++;
      continue;
    }
    check.duplicated += ids.length - 1;
    const stored = await orthancFetch(orthanc, `/instances/${ids[0]}/file`);
    const bytes = Buffer.from(await stored.arrayBuffer());
    if (bytes.equals(readFileSync(study.files[i]!))) check.identical++;
    else check.altered++;
  }
  for (const studyId of await lookup(orthanc, study.studyUid, "Study")) {
    const response = await orthancFetch(orthanc, `/studies/${studyId}/instances`);
    const count = z.array(z.unknown()).parse(await response.json()).length;
    check.duplicated += Math.max(0, count - (study.sopUids.length - check.missing));
  }
  return check;
}

/**
 * Object keys in wrangler's local R2 bucket, read from its SQLite index under the --persist-to
 * directory (`v3/r2/miniflare-R2BucketObject/<bucket>.sqlite`, table `_mf_objects`) with the
 * sqlite3 command-line tool, read-only. The worker has no route that lists the bucket, on purpose.
 */
export function r2Keys(persistTo: string): string[] {
  const dir = path.join(persistTo, "v3/r2/miniflare-R2BucketObject");
  if (!existsSync(dir)) return [];
  const keys: string[] = [];
  for (const file of readdirSync(dir)) {
    if (!file.endsWith(".sqlite") || file === "metadata.sqlite") continue;
    let out: string;
    try {
      out = execFileSync(
        "sqlite3",
        ["-readonly", path.join(dir, file), "SELECT key FROM _mf_objects"],
        { encoding: "utf8" },
      );
    } catch (error) {
      throw new Error("reading the local R2 index needs sqlite3 (apt-get install sqlite3)", {
        cause: error,
      });
    }
    keys.push(...out.split("\n").filter(Boolean));
  }
  return keys;
}

/** Patient data (or file bytes) IndexedDB still holds: the strings found, and Blobs as "blob". */
export async function phiLeft(page: Page, study: ChaosStudy): Promise<string[]> {
  const { text, blobs } = await indexedDbText(page);
  const found = study.phi.filter((value) => text.includes(value));
  return blobs > 0 ? [...found, `${blobs} blob(s)`] : found;
}
