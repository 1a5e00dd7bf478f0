// Structured JSON logs with opaque ids only. Never pass names, patient ids, dates or notes here:
// the field type allows ids, counts and codes, nothing free-form from a user.
type Field = string | number | boolean | null;

export function log(
  level: "info" | "warn" | "error",
  event: string,
  fields: Record<string, Field> = {},
): void {
  const line = JSON.stringify({ level, event, ...fields, t: new Date().toISOString() });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}
