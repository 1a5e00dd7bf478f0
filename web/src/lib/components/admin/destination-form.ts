// The destination form's fields (strings, as inputs hold them) to and from the contract's
// DestinationConfig, with each problem in words beside its field. Pure.
import { DestinationConfig, type AdapterKind, type DestinationAuth } from "../../session/contract";

export interface DestinationFields {
  name: string;
  adapter: AdapterKind;
  url: string;
  authKind: DestinationAuth["kind"];
  username: string;
  passwordSecret: string;
  tokenSecret: string;
  /** MiB, as people think of it; the contract counts bytes. */
  batchMegabytes: string;
  batchInstances: string;
  /** One SOP Class UID per line; none: every storage SOP class. */
  sopClasses: string;
  confirmReceipt: boolean;
  timeoutSeconds: string;
  callingAeTitle: string;
  calledAeTitle: string;
}

export type FieldName = keyof DestinationFields;
export type FieldErrors = Partial<Record<FieldName, string>>;

const MIB = 1024 * 1024;

export function fieldsOf(config: DestinationConfig): DestinationFields {
  const auth = config.auth;
  return {
    name: config.name,
    adapter: config.adapter,
    url: config.url,
    authKind: auth.kind,
    username: auth.kind === "basic" ? auth.username : "",
    passwordSecret: auth.kind === "basic" ? auth.passwordSecret : "",
    tokenSecret: auth.kind === "bearer" ? auth.tokenSecret : "",
    batchMegabytes: String(Math.round((config.batchBytes / MIB) * 100) / 100),
    batchInstances: String(config.batchInstances),
    sopClasses: config.sopClassAllowList.join("\n"),
    confirmReceipt: config.confirmReceipt,
    timeoutSeconds: String(config.timeoutSeconds),
    callingAeTitle: config.callingAeTitle,
    calledAeTitle: config.calledAeTitle,
  };
}

/** What to say when a field is empty, out of range or not a number (the contract's own words
 *  are kept for the rules it explains itself: URL, secret names, AE titles, UIDs). */
const PLAIN: Partial<Record<FieldName, string>> = {
  name: "Give the destination a name (up to 100 characters).",
  url: "Enter where the PACS is.",
  username: "Enter the user name the PACS expects.",
  batchMegabytes: "A number from 1 to 500.",
  batchInstances: "A whole number from 1 to 1000.",
  timeoutSeconds: "A whole number of seconds from 5 to 900.",
};

function numberOf(text: string): number {
  return text.trim() === "" ? Number.NaN : Number(text);
}

function authOf(f: DestinationFields): DestinationAuth | Record<string, unknown> {
  if (f.adapter === "c-store" || f.authKind === "none") return { kind: "none" };
  if (f.authKind === "basic") {
    return { kind: "basic", username: f.username.trim(), passwordSecret: f.passwordSecret.trim() };
  }
  return { kind: "bearer", tokenSecret: f.tokenSecret.trim() };
}

const FIELD_OF_KEY: Record<string, FieldName> = {
  name: "name",
  adapter: "adapter",
  url: "url",
  auth: "authKind",
  batchBytes: "batchMegabytes",
  batchInstances: "batchInstances",
  sopClassAllowList: "sopClasses",
  confirmReceipt: "confirmReceipt",
  timeoutSeconds: "timeoutSeconds",
  callingAeTitle: "callingAeTitle",
  calledAeTitle: "calledAeTitle",
  username: "username",
  passwordSecret: "passwordSecret",
  tokenSecret: "tokenSecret",
};

/** The form field a contract issue belongs to (auth's members are fields of their own). */
function fieldOf(path: ReadonlyArray<PropertyKey>): FieldName {
  const [first, second] = path;
  const key = first === "auth" && typeof second === "string" ? second : first;
  return (typeof key === "string" ? FIELD_OF_KEY[key] : undefined) ?? "name";
}

/** Valid values to stand in for broken fields on the second pass. */
const VALID = DestinationConfig.parse({
  name: "valid",
  adapter: "stow-rs",
  url: "https://valid.example/dicom-web",
});

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function configOf(
  f: DestinationFields,
): { ok: true; config: DestinationConfig } | { ok: false; errors: FieldErrors } {
  const uids = f.sopClasses
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  const megabytes = numberOf(f.batchMegabytes);
  const candidate = {
    name: f.name.trim(),
    adapter: f.adapter,
    url: f.url.trim(),
    auth: authOf(f),
    batchBytes: Number.isFinite(megabytes) ? Math.round(megabytes * MIB) : Number.NaN,
    batchInstances: numberOf(f.batchInstances),
    sopClassAllowList: uids,
    confirmReceipt: f.confirmReceipt,
    timeoutSeconds: numberOf(f.timeoutSeconds),
    ...(f.adapter === "c-store"
      ? { callingAeTitle: f.callingAeTitle, calledAeTitle: f.calledAeTitle }
      : {}),
  };
  const parsed = DestinationConfig.safeParse(candidate);
  if (parsed.success) return { ok: true, config: parsed.data };
  // The contract's cross-field rules (URL form per adapter) only run once every field parses:
  // parse again with the broken fields set to valid values, so all problems show at once.
  const broken = new Set(parsed.error.issues.map((i) => i.path[0]));
  const patched = Object.fromEntries(
    Object.entries(candidate).map(([k, v]) => [
      k,
      broken.has(k) ? VALID[k as keyof typeof VALID] : v,
    ]),
  );
  const again = DestinationConfig.safeParse(patched);
  const issues = [...parsed.error.issues, ...(again.success ? [] : again.error.issues)];
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const field = fieldOf(issue.path);
    if (errors[field]) continue;
    const generic =
      issue.code === "too_small" || issue.code === "too_big" || issue.code === "invalid_type";
    if (field === "sopClasses" && typeof issue.path[1] === "number") {
      errors[field] = `"${uids[issue.path[1]] ?? ""}" is not a SOP Class UID (digits and dots).`;
    } else if (field === "sopClasses") {
      errors[field] = "At most 500 SOP Class UIDs.";
    } else {
      errors[field] = (generic ? PLAIN[field] : undefined) ?? capitalised(issue.message);
    }
  }
  return { ok: false, errors };
}
