// Completeness checks on what was picked, each a single plain line the user can act on: missing
// instance numbers, fewer images than the series declares, several patients in one study, exact
// copies, conflicting copies, files that are not images. Pure; shown on screen, never logged.
import type { Duplicates, SeriesGroup, StudyGroup } from "./group";
import type { Rejected } from "./problems";

export type WarningCode =
  | "instance-gap"
  | "fewer-than-declared"
  | "several-patients"
  | "duplicates-dropped"
  | "duplicate-conflict"
  | "not-images"
  | "dicomdir-missing-files";

export interface IntakeWarning {
  code: WarningCode;
  message: string;
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
}

/** "a, b and c", or "a, b, c and 4 more" past `max` names. */
export function listNames(names: readonly string[], max = 3): string {
  if (names.length <= 1) return names[0] ?? "";
  if (names.length > max) return `${names.slice(0, max).join(", ")} and ${names.length - max} more`;
  return `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function seriesLabel(series: SeriesGroup): string {
  const what = [series.modality, series.description].filter(Boolean).join(", ");
  const number = series.seriesNumber === undefined ? "" : ` ${series.seriesNumber}`;
  return `Series${number}${what ? ` (${what})` : ""}`;
}

/** Missing numbers, runs of three or more as ranges: [4, 7, 8, 9] → "4 and 7 to 9". */
function ranges(missing: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < missing.length;) {
    let j = i;
    while (j + 1 < missing.length && missing[j + 1] === missing[j]! + 1) j++;
    if (j - i >= 2) parts.push(`${missing[i]} to ${missing[j]}`);
    else parts.push(...missing.slice(i, j + 1).map(String));
    i = j + 1;
  }
  return listNames(parts, 4);
}

function gapWarning(series: SeriesGroup): string | null {
  const numbers = series.instances.map((i) => i.header.instanceNumber);
  // Without a number on every file, or with numbers restarting (several acquisitions), skip.
  if (numbers.length < 2 || numbers.some((n) => n === undefined)) return null;
  const present = new Set(numbers.filter((n): n is number => n !== undefined));
  if (present.size !== numbers.length) return null;
  const min = Math.min(...present);
  const max = Math.max(...present);
  if (max - min + 1 === present.size) return null;
  const missing: number[] = [];
  for (let n = min; n <= max && missing.length <= 1000; n++) if (!present.has(n)) missing.push(n);
  return `${seriesLabel(series)}: ${plural(missing.length, "image")} seem to be missing (numbers ${ranges(missing)}; ${present.size} of ${min} to ${max} found).`;
}

function declaredWarning(series: SeriesGroup): string | null {
  const count = series.instanceCount;
  const headers = series.instances.map((i) => i.header);
  const related = Math.max(0, ...headers.map((h) => h.seriesRelatedInstances ?? 0));
  if (related > count) {
    return `${seriesLabel(series)} says it has ${related} images, but ${count} were found.`;
  }
  // Images in Acquisition counts per acquisition: compare within each acquisition number.
  const byAcquisition = new Map<string, { declared: number; found: number }>();
  for (const h of headers) {
    if (h.imagesInAcquisition === undefined) continue;
    const key = String(h.acquisitionNumber ?? "");
    const seen = byAcquisition.get(key) ?? { declared: 0, found: 0 };
    byAcquisition.set(key, {
      declared: Math.max(seen.declared, h.imagesInAcquisition),
      found: seen.found + 1,
    });
  }
  const short = [...byAcquisition.values()].find((a) => a.declared > a.found);
  if (!short) return null;
  return `${seriesLabel(series)} says an acquisition has ${short.declared} images, but ${short.found} were found.`;
}

export function studyWarnings(studies: readonly StudyGroup[]): IntakeWarning[] {
  const warnings: IntakeWarning[] = [];
  for (const study of studies) {
    const ref = { studyInstanceUid: study.studyInstanceUid };
    if (study.patients.length > 1) {
      const who = study.patients.map(
        (p) => [p.name, p.id && `ID ${p.id}`].filter(Boolean).join(", ") || "no name",
      );
      warnings.push({
        code: "several-patients",
        message: `One study holds images of ${study.patients.length} different patients (${listNames(who)}): check that these files belong together.`,
        ...ref,
      });
    }
    for (const series of study.series) {
      const seriesRef = { ...ref, seriesInstanceUid: series.seriesInstanceUid };
      const gap = gapWarning(series);
      if (gap) warnings.push({ code: "instance-gap", message: gap, ...seriesRef });
      const declared = declaredWarning(series);
      if (declared) warnings.push({ code: "fewer-than-declared", message: declared, ...seriesRef });
    }
  }
  return warnings;
}

export function duplicateWarnings(duplicates: Duplicates): IntakeWarning[] {
  const warnings: IntakeWarning[] = [];
  const dropped = duplicates.dropped.map((d) => d.instance.path);
  if (dropped.length > 0) {
    warnings.push({
      code: "duplicates-dropped",
      message: `${plural(dropped.length, "file is an exact copy", "files are exact copies")} of another file and will be sent once: ${listNames(dropped)}.`,
    });
  }
  for (const { instance, keptPath } of duplicates.conflicts) {
    warnings.push({
      code: "duplicate-conflict",
      message: `${instance.path} and ${keptPath} claim to be the same image but differ; only ${keptPath} will be sent.`,
      studyInstanceUid: instance.header.studyInstanceUid,
    });
  }
  return warnings;
}

const NOT_IMAGE_CODES = new Set(["not-an-image", "photo", "other-archive"]);

export function notImageWarning(rejected: readonly Rejected[]): IntakeWarning[] {
  const names = rejected.filter((r) => NOT_IMAGE_CODES.has(r.code)).map((r) => r.path);
  if (names.length === 0) return [];
  const are = names.length === 1 ? "is not an image" : "are not images";
  return [
    {
      code: "not-images",
      message: `${plural(names.length, "file")} ${are} we can send and will be left out: ${listNames(names)}.`,
    },
  ];
}
