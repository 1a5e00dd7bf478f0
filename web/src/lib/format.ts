// Plain-language formatting of sizes, dates and names for the screens. Pure.

const SIZE_UNITS = ["bytes", "KB", "MB", "GB", "TB"] as const;

/** "0 bytes", "812 KB", "1.4 GB" (decimal units, as phones and file managers show). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < SIZE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits).replace(/\.0$/, "")} ${SIZE_UNITS[unit]}`;
}

const DATE_FORMAT = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  timeZone: "UTC",
});

/** "2004-01-19" → "19 Jan 2004": the month spelt out, so day and month cannot be swapped. */
export function formatStudyDate(isoDate: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!match) return isoDate;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return Number.isNaN(date.getTime()) ? isoDate : DATE_FORMAT.format(date);
}

/**
 * A DICOM Person Name for reading: "Buc^Jérôme" → "Buc, Jérôme". Uses the first non-empty
 * component group (alphabetic, else ideographic, else phonetic).
 */
export function formatPersonName(value: string): string {
  const group = value.split("=").find((g) => g.replace(/\^/g, "").trim() !== "") ?? "";
  const [family = "", given = "", middle = "", prefix = "", suffix = ""] = group
    .split("^")
    .map((part) => part.trim());
  const rest = [prefix, given, middle].filter(Boolean).join(" ");
  const name = [family, rest].filter(Boolean).join(", ");
  return suffix ? `${name} ${suffix}` : name;
}
