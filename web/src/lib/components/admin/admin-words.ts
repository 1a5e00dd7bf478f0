// Plain words for the admin console: dates, durations, audit events and outcomes. Pure.
import type { AuditEventType, AuditOutcome, Role } from "../../session/contract";

const DATE_TIME = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

/** "31 Jan 2026, 08:15", in this device's time zone. */
export function formatDateTime(ms: number): string {
  return DATE_TIME.format(new Date(ms));
}

/** "40 s", "4 min", "2 h 5 min", "3 days". */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  return `${Math.round(hours / 24)} days`;
}

/** "1 upload", "3 uploads". */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function formatPercent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

export const ROLE_WORDS: Record<Role, string> = { admin: "Administrator", uploader: "Uploader" };

export const OUTCOME_WORDS: Record<AuditOutcome, string> = {
  ok: "OK",
  refused: "Refused",
  rate_limited: "Too many attempts",
  delivered: "Delivered",
  partially_delivered: "Partly delivered",
  failed: "Failed",
};

export const EVENT_WORDS: Record<AuditEventType, string> = {
  sign_in: "Sign-in",
  sign_out: "Sign-out",
  refresh_reused: "Sign-in key used twice",
  enrollment_created: "Enrollment code created",
  enrollment_revoked: "Enrollment code withdrawn",
  enrolled: "Device enrolled",
  enrollment_refused: "Enrollment refused",
  user_disabled: "Person disabled",
  user_enabled: "Person enabled",
  device_revoked: "Device revoked",
  session_created: "Upload started",
  session_completed: "Upload received",
  session_delivered: "Upload delivered",
  session_partially_delivered: "Upload partly delivered",
  session_failed: "Upload failed",
  session_redriven: "Upload sent again",
  destination_changed: "Destination changed",
  destination_reset: "Destination reset",
  destination_tested: "Destination connection tested",
  policy_changed: "Queue policy changed",
};

/** Outcomes shown as good, bad or neither. */
export function outcomeTone(outcome: AuditOutcome): "ok" | "bad" | "neutral" {
  if (outcome === "ok" || outcome === "delivered") return "ok";
  if (outcome === "failed" || outcome === "partially_delivered") return "bad";
  return "neutral";
}

/** The first characters of an opaque id, enough to tell rows apart and to search for. */
export function shortId(id: string): string {
  return id.length > 8 ? `${id.slice(0, 8)}…` : id;
}

/** Short words for the reason codes the audit log keeps (the relay's own, and DICOM statuses). */
const REASON_WORDS: Record<string, string> = {
  pacs_unreachable: "PACS did not answer",
  dead_lettered: "gave up after repeated errors",
  relay_stalled: "relay's queue never started sending",
  destination_misconfigured: "PACS settings need fixing",
  not_confirmed: "PACS did not list the image afterwards",
  too_large: "image too large for the PACS",
  sop_class_not_allowed: "kind of image not allowed for this PACS",
  checksum_mismatch: "damaged in transit",
  not_dicom: "not a DICOM file",
  expired: "upload expired before it was complete",
  cancelled: "cancelled on the device",
  timeout: "PACS too slow to answer",
  network: "network error",
  auth: "PACS refused RelayPACS's credentials",
  association_rejected: "PACS refused the DICOM connection",
  other: "other",
  "0110": "PACS processing failure",
  "0122": "kind of image not supported by the PACS",
  "0124": "not authorised by the PACS",
  "0213": "PACS short of resources",
  A700: "PACS out of storage space",
  A900: "image did not match its kind",
  C000: "PACS could not read the image",
  C122: "compression not supported by the PACS",
  B000: "stored, details adjusted by the PACS",
  B00E: "already in the PACS",
};

/** "PACS out of storage space (A700)"; an unknown code reads as itself. */
export function reasonWords(code: string): string {
  const words = REASON_WORDS[code] ?? REASON_WORDS[code.toUpperCase()];
  if (words) return code === "other" ? words : `${words} (${code})`;
  return /^[0-9A-Fa-f]{4}$/.test(code)
    ? `PACS status ${code.toUpperCase()}`
    : code.replaceAll("_", " ");
}
