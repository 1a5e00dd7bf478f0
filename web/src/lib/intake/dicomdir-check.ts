// Compares what a DICOMDIR (a disc's index) lists with the files actually picked, so the user
// learns that a disc was copied only in part. The DICOMDIR itself is never sent. Pure.

export interface DicomdirNote {
  path: string;
  /** How many files the DICOMDIR lists. */
  referencedFiles: number;
  /** Listed files that are not among the picked ones (paths as the DICOMDIR spells them). */
  missingFiles: string[];
  message: string;
}

/** Disc file names may carry an ISO 9660 version (";1") or a trailing dot; case does not matter. */
function comparable(path: string): string {
  return path.toLowerCase().replace(/;\d+$/, "").replace(/\.$/, "");
}

export function checkDicomdir(
  path: string,
  references: readonly string[],
  pickedPaths: Iterable<string>,
): DicomdirNote {
  const picked = new Set([...pickedPaths].map(comparable));
  const folder = path.includes("/") ? path.slice(0, path.lastIndexOf("/") + 1) : "";
  const missingFiles = references.filter((ref) => !picked.has(comparable(folder + ref)));
  const intro = "This is the index of a CD or DVD (DICOMDIR), not an image, so it is not sent.";
  const message =
    references.length === 0
      ? intro
      : missingFiles.length === 0
        ? `${intro} All ${references.length} files it lists were found.`
        : `${intro} ${missingFiles.length} of the ${references.length} files it lists are missing from what you picked: pick the whole disc or folder.`;
  return { path, referencedFiles: references.length, missingFiles, message };
}
