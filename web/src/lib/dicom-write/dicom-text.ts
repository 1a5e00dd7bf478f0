// Turns app values into DICOM value strings (DA, TM, PN, LO/SH, UT) for the writers in this
// folder, checking DICOM's length limits. Over-long values are refused, never cut: a silently
// shortened patient ID would file the object under someone else.
import { DicomWriteError } from "./errors";

/** Local date "YYYYMMDD" (DICOM DA): the device's wall clock, as a modality would write it. */
export function dicomDate(at: Date): string {
  return `${at.getFullYear()}${pad(at.getMonth() + 1)}${pad(at.getDate())}`;
}

/** Local time "HHMMSS" (DICOM TM). */
export function dicomTime(at: Date): string {
  return `${pad(at.getHours())}${pad(at.getMinutes())}${pad(at.getSeconds())}`;
}

/** "YYYYMMDD" or "YYYY-MM-DD" to DA; anything else (or an impossible date) to "" (unknown). */
export function normaliseDate(value: string | undefined): string {
  const digits = (value ?? "").trim().replace(/^(\d{4})-(\d{2})-(\d{2})$/, "$1$2$3");
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(digits);
  if (!match) return "";
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  const real = date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return real ? digits : "";
}

/** "HHMMSS[.ffffff]", "HHMM", "HH" or "HH:MM[:SS]" to TM; anything else to "". */
export function normaliseTime(value: string | undefined): string {
  const compact = (value ?? "").trim().replace(/^(\d{2}):(\d{2})(?::(\d{2}))?/, "$1$2$3");
  const match = /^([01]\d|2[0-3])([0-5]\d)?([0-5]\d(\.\d{1,6})?)?$/.exec(compact);
  return match && (match[2] !== undefined || match[3] === undefined) ? compact : "";
}

/** DICOM Patient's Sex: M, F or O; anything else is unknown (""). */
export function normaliseSex(value: string | undefined): "M" | "F" | "O" | "" {
  const sex = (value ?? "").trim().toUpperCase();
  return sex === "M" || sex === "F" || sex === "O" ? sex : "";
}

/** A Person Name (PN): at most 64 characters per component, "^" and "=" kept as DICOM's. */
export function personName(field: string, value: string | undefined): string {
  const name = cleanLine(value);
  const tooLong = name.split(/[=^]/).some((component) => length(component) > 64);
  if (tooLong) throw new DicomWriteError("value-too-long", field);
  return name;
}

/** A one-line string (LO: 64 characters, SH: 16, CS: 16). */
export function shortText(field: string, value: string | undefined, max: 16 | 64): string {
  const text = cleanLine(value);
  if (length(text) > max) throw new DicomWriteError("value-too-long", field);
  return text;
}

/** Free text for UT: line breaks as CR LF (DICOM's), control characters other than tab dropped. */
export function longText(value: string): string {
  return value
    .replace(/\r\n?/g, "\n")
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "")
    .replace(/[ \t\n]+$/, "")
    .replace(/\n/g, "\r\n");
}

/** Strips what a one-line DICOM string may not hold: control characters and "\" (a delimiter). */
function cleanLine(value: string | undefined): string {
  return (value ?? "")
    .replace(/[\u0000-\u001f\u007f\\]/g, " ")
    .replace(/ {2,}/g, " ")
    .trim();
}

function length(text: string): number {
  return [...text].length;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}
