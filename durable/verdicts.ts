// Pure per-file verdicts at complete: which files go on to the PACS and, for the others, why, in
// words a clinician can act on. One bad file never blocks the good ones.
import type { FileVerdict } from "../worker/contract";

export interface FileFacts {
  index: number;
  sha256: string;
  checksumMatches: boolean;
  header:
    | {
        ok: true;
        sopClassUid: string;
        sopInstanceUid: string;
        studyInstanceUid: string;
        isDicomdir: boolean;
      }
    | { ok: false; code: string; message: string };
}

export interface VerdictSummary {
  verdicts: Map<number, FileVerdict>;
  needsReupload: number[];
  studies: string[];
  warnings: string[];
}

const DICOMDIR_SOP_CLASS = "1.2.840.10008.1.3.10";
const STANDARD_ROOT = "1.2.840.10008.";
const STORAGE_ROOT = "1.2.840.10008.5.1.4.";

/** Default policy: every storage SOP class (standard storage classes and private ones). */
export function isAllowedSopClass(uid: string, allowList: readonly string[] | undefined): boolean {
  if (allowList && allowList.length > 0) return allowList.includes(uid);
  return !uid.startsWith(STANDARD_ROOT) || uid.startsWith(STORAGE_ROOT);
}

const accepted: FileVerdict = {
  accepted: true,
  code: "accepted",
  message: "Checked and ready to send.",
};

export function decideVerdicts(
  files: readonly FileFacts[],
  allowList?: readonly string[],
): VerdictSummary {
  const verdicts = new Map<number, FileVerdict>();
  const needsReupload: number[] = [];
  const firstByInstance = new Map<string, FileFacts>();
  const studies = new Set<string>();
  for (const f of files) {
    const reject = (code: string, message: string) =>
      verdicts.set(f.index, { accepted: false, code, message });
    if (!f.checksumMatches) {
      needsReupload.push(f.index);
      reject(
        "checksum_mismatch",
        "This file arrived damaged (its checksum does not match). It will be sent again.",
      );
      continue;
    }
    const h = f.header;
    if (!h.ok) {
      reject(h.code, h.message);
      continue;
    }
    if (h.isDicomdir || h.sopClassUid === DICOMDIR_SOP_CLASS) {
      reject(
        "dicomdir",
        "This is a DICOMDIR, the index of a CD or folder, not an image. It is never sent; the images it lists are.",
      );
      continue;
    }
    if (!isAllowedSopClass(h.sopClassUid, allowList)) {
      reject(
        "sop_class_not_allowed",
        "Your PACS is set up not to accept this kind of object. Ask your administrator if it should be.",
      );
      continue;
    }
    const first = firstByInstance.get(h.sopInstanceUid);
    if (first) {
      if (first.sha256 === f.sha256) {
        reject("duplicate_file", "The same image was selected twice; it is sent once.");
      } else {
        reject(
          "duplicate_instance_conflict",
          "Another file in this upload has the same image ID but different content. Only the first one is sent; check which one is right.",
        );
      }
      continue;
    }
    firstByInstance.set(h.sopInstanceUid, f);
    studies.add(h.studyInstanceUid);
    verdicts.set(f.index, accepted);
  }
  const warnings =
    studies.size > 1
      ? [
          `These files belong to ${studies.size} different studies. Each is sent as its own study; check that this is what you meant.`,
        ]
      : [];
  return { verdicts, needsReupload, studies: [...studies], warnings };
}
