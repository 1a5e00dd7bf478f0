// Completeness checks on what was picked, each a single plain line the user can act on: missing
// instance numbers, fewer images than the series declares, several patients in one study, exact
// copies, conflicting copies, files that are not images. Pure; shown on screen, never logged.
// Each warning carries its facts (`detail`) so the screens can word it in the user's language;
// `message` is the English wording.
import type { Duplicates, SeriesGroup, StudyGroup } from "./group";
import type { Rejected } from "./problems";

/** What a warning names a series by. */
export interface SeriesRef {
  number?: number | undefined;
  modality: string;
  description: string;
}

export type WarningDetail =
  | {
      code: "instance-gap";
      series: SeriesRef;
      missing: number[];
      found: number;
      min: number;
      max: number;
    }
  | {
      code: "fewer-than-declared";
      series: SeriesRef;
      declared: number;
      found: number;
      /** Declared per acquisition (Images in Acquisition), not for the whole series. */
      perAcquisition: boolean;
    }
  | { code: "several-patients"; patients: { name: string; id: string }[] }
  | { code: "duplicates-dropped"; paths: string[] }
  | { code: "duplicate-conflict"; path: string; keptPath: string }
  | { code: "not-images"; paths: string[] }
  | { code: "dicomdir-missing-files"; path: string; missing: number; referenced: number };

export type WarningCode = WarningDetail["code"];

export interface IntakeWarning {
  code: WarningCode;
  message: string;
  detail: WarningDetail;
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

export function seriesRef(series: SeriesGroup): SeriesRef {
  return {
    number: series.seriesNumber,
    modality: series.modality,
    description: series.description,
  };
}

function seriesLabel(series: SeriesRef): string {
  const what = [series.modality, series.description].filter(Boolean).join(", ");
  const number = series.number === undefined ? "" : ` ${series.number}`;
  return `Series${number}${what ? ` (${what})` : ""}`;
}

/**
 * Missing numbers, runs of three or more as ranges: [4, 7, 8, 9] → ["4", "7 to 9"], with the
 * word for "to" given by the caller's language.
 */
export function numberRanges(missing: readonly number[], to = "to"): string[] {
  const parts: string[] = [];
  for (let i = 0; i < missing.length;) {
    let j = i;
    while (j + 1 < missing.length && missing[j + 1] === missing[j]! + 1) j++;
    if (j - i >= 2) parts.push(`${missing[i]} ${to} ${missing[j]}`);
    else parts.push(...missing.slice(i, j + 1).map(String));
    i = j + 1;
  }
  return parts;
}

/** The English line for a warning. */
export function describeWarning(detail: WarningDetail): string {
  switch (detail.code) {
    case "instance-gap": {
      const { missing, found, min, max } = detail;
      return `${seriesLabel(detail.series)}: ${plural(missing.length, "image")} seem to be missing (numbers ${listNames(numberRanges(missing), 4)}; ${found} of ${min} to ${max} found).`;
    }
    case "fewer-than-declared":
      return detail.perAcquisition
        ? `${seriesLabel(detail.series)} says an acquisition has ${detail.declared} images, but ${detail.found} were found.`
        : `${seriesLabel(detail.series)} says it has ${detail.declared} images, but ${detail.found} were found.`;
    case "several-patients": {
      const who = detail.patients.map(
        (p) => [p.name, p.id && `ID ${p.id}`].filter(Boolean).join(", ") || "no name",
      );
      return `One study holds images of ${detail.patients.length} different patients (${listNames(who)}): check that these files belong together.`;
    }
    case "duplicates-dropped":
      return `${plural(detail.paths.length, "file is an exact copy", "files are exact copies")} of another file and will be sent once: ${listNames(detail.paths)}.`;
    case "duplicate-conflict":
      return `${detail.path} and ${detail.keptPath} claim to be the same image but differ; only ${detail.keptPath} will be sent.`;
    case "not-images": {
      const are = detail.paths.length === 1 ? "is not an image" : "are not images";
      return `${plural(detail.paths.length, "file")} ${are} we can send and will be left out: ${listNames(detail.paths)}.`;
    }
    case "dicomdir-missing-files":
      return `This is the index of a CD or DVD (DICOMDIR), not an image, so it is not sent. ${detail.missing} of the ${detail.referenced} files it lists are missing from what you picked: pick the whole disc or folder.`;
  }
}

function warning(
  detail: WarningDetail,
  ref: { studyInstanceUid?: string; seriesInstanceUid?: string } = {},
): IntakeWarning {
  return { code: detail.code, message: describeWarning(detail), detail, ...ref };
}

function gapWarning(series: SeriesGroup): WarningDetail | null {
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
  return {
    code: "instance-gap",
    series: seriesRef(series),
    missing,
    found: present.size,
    min,
    max,
  };
}

function declaredWarning(series: SeriesGroup): WarningDetail | null {
  const count = series.instanceCount;
  const headers = series.instances.map((i) => i.header);
  const related = Math.max(0, ...headers.map((h) => h.seriesRelatedInstances ?? 0));
  const base = { code: "fewer-than-declared", series: seriesRef(series) } as const;
  if (related > count) return { ...base, declared: related, found: count, perAcquisition: false };
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
  return short ? { ...base, ...short, perAcquisition: true } : null;
}

export function studyWarnings(studies: readonly StudyGroup[]): IntakeWarning[] {
  const warnings: IntakeWarning[] = [];
  for (const study of studies) {
    const ref = { studyInstanceUid: study.studyInstanceUid };
    if (study.patients.length > 1) {
      warnings.push(warning({ code: "several-patients", patients: study.patients }, ref));
    }
    for (const series of study.series) {
      const seriesRef = { ...ref, seriesInstanceUid: series.seriesInstanceUid };
      const gap = gapWarning(series);
      if (gap) warnings.push(warning(gap, seriesRef));
      const declared = declaredWarning(series);
      if (declared) warnings.push(warning(declared, seriesRef));
    }
  }
  return warnings;
}

export function duplicateWarnings(duplicates: Duplicates): IntakeWarning[] {
  const warnings: IntakeWarning[] = [];
  const dropped = duplicates.dropped.map((d) => d.instance.path);
  if (dropped.length > 0) warnings.push(warning({ code: "duplicates-dropped", paths: dropped }));
  for (const { instance, keptPath } of duplicates.conflicts) {
    warnings.push(
      warning(
        { code: "duplicate-conflict", path: instance.path, keptPath },
        { studyInstanceUid: instance.header.studyInstanceUid },
      ),
    );
  }
  return warnings;
}

const NOT_IMAGE_CODES = new Set(["not-an-image", "photo", "other-archive"]);

export function notImageWarning(rejected: readonly Rejected[]): IntakeWarning[] {
  const paths = rejected.filter((r) => NOT_IMAGE_CODES.has(r.code)).map((r) => r.path);
  return paths.length === 0 ? [] : [warning({ code: "not-images", paths })];
}

export function dicomdirWarning(path: string, missing: number, referenced: number): IntakeWarning {
  return warning({ code: "dicomdir-missing-files", path, missing, referenced });
}
