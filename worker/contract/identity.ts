// Identity on the wire: sign-in with refresh tokens, devices, enrollment codes, the admin's lists
// of users and devices, the audit log and the dashboard metrics. Audit rows and metrics carry ids,
// counts, bytes, outcomes and reason codes only: never patient data.
import { z } from "zod";
import { LoginRequest, LoginResponse, Role } from "./auth";
import { ClinicPolicy, DEFAULT_CLINIC_POLICY, SignInSecret } from "./reports";

/** The password and PIN rules, shown by the enroll page and enforced by the worker. */
export const PASSWORD_MIN_LENGTH = 10;
export const Password = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(1024);
export const PIN_MIN_DIGITS = 6;
export const PIN_MAX_DIGITS = 12;
export const Pin = z
  .string()
  .regex(
    new RegExp(`^[0-9]{${PIN_MIN_DIGITS},${PIN_MAX_DIGITS}}$`),
    `${PIN_MIN_DIGITS} to ${PIN_MAX_DIGITS} digits`,
  );

/** The rule a clinic's policy sets for new secrets, and what to tell a person who missed it. */
export const SECRET_RULES = {
  password: {
    schema: Password,
    problem: `Choose a password of at least ${PASSWORD_MIN_LENGTH} characters.`,
  },
  pin: { schema: Pin, problem: `Choose a PIN of ${PIN_MIN_DIGITS} to ${PIN_MAX_DIGITS} digits.` },
} as const satisfies Record<SignInSecret, { schema: z.ZodType<string>; problem: string }>;

/** Whether `secret` meets the rule of `kind`: null when it does, else the plain message. */
export function secretProblem(kind: SignInSecret, secret: string): string | null {
  return SECRET_RULES[kind].schema.safeParse(secret).success ? null : SECRET_RULES[kind].problem;
}

export const DeviceId = z.string().regex(/^[0-9a-f]{32}$/, "a device id (32 hex characters)");
export const DeviceName = z.string().trim().min(1).max(80);
export const PersonName = z
  .string()
  .trim()
  .min(1)
  .max(120)
  .refine((s) => !/\p{Cc}/u.test(s), "one line of text");

/** Email and password; a device that signed in before sends its id to be recognised again. */
export const EmailSignIn = LoginRequest.extend({
  deviceId: DeviceId.optional(),
  deviceName: DeviceName.optional(),
});
/** An enrolled device signs its person in again with their password (people may have no email). */
export const DeviceSignIn = z.object({ deviceId: DeviceId, password: z.string().min(1).max(1024) });
export const SignInRequest = z.union([EmailSignIn, DeviceSignIn]);
export type SignInRequest = z.infer<typeof SignInRequest>;

/**
 * What sign-in, refresh and enrollment return: a short-lived access token (Authorization: Bearer)
 * and a single-use refresh token that `POST /api/auth/refresh` exchanges for a new pair. A person
 * enrolled without an email has `user.email` "".
 */
export const SignInResponse = LoginResponse.extend({
  refreshToken: z.string(),
  refreshExpiresAt: z.number().int(),
  deviceId: DeviceId,
  /** The clinic's queue policy (absent from older servers: the defaults). */
  clinicPolicy: ClinicPolicy.default(DEFAULT_CLINIC_POLICY),
});
export type SignInResponse = z.infer<typeof SignInResponse>;

export const RefreshRequest = z.object({ refreshToken: z.string().min(1).max(200) });
export type RefreshRequest = z.infer<typeof RefreshRequest>;

/** Sign-out ends the sign-in of the access token sent, or of this refresh token. */
export const LogoutRequest = z.object({ refreshToken: z.string().min(1).max(200).optional() });
export type LogoutRequest = z.infer<typeof LogoutRequest>;

// ---- enrollment ------------------------------------------------------------------------------

export const ENROLLMENT_DEFAULT_HOURS = 24;

export const CreateEnrollmentRequest = z.object({
  role: Role.default("uploader"),
  /** Optional: the person the code is for (shown to them, and their name by default). */
  personName: PersonName.optional(),
  expiresInHours: z.number().int().min(1).max(168).default(ENROLLMENT_DEFAULT_HOURS),
});
export type CreateEnrollmentRequest = z.input<typeof CreateEnrollmentRequest>;

/** The code is shown once (QR code of `url`, or the link to share by message); only its hash stays. */
export const EnrollmentCreated = z.object({
  id: z.string(),
  code: z.string(),
  url: z.string(),
  expiresAt: z.number().int(),
});
export type EnrollmentCreated = z.infer<typeof EnrollmentCreated>;

export const EnrollmentState = z.enum(["active", "used", "expired", "revoked"]);
export const EnrollmentView = z.object({
  id: z.string(),
  role: Role,
  personName: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.number().int(),
  expiresAt: z.number().int(),
  usedAt: z.number().int().nullable(),
  userId: z.string().nullable(),
  state: EnrollmentState,
});
export type EnrollmentView = z.infer<typeof EnrollmentView>;
export const EnrollmentList = z.object({ enrollments: z.array(EnrollmentView) });
export type EnrollmentList = z.infer<typeof EnrollmentList>;

/** `password` is the person's new password or PIN: the worker applies the clinic's rule to it. */
export const EnrollRequest = z.object({
  code: z.string().trim().min(1).max(100),
  name: PersonName,
  password: z.string().min(1).max(1024),
  deviceName: DeviceName.optional(),
});
export type EnrollRequest = z.infer<typeof EnrollRequest>;

/** `POST /api/enroll/lookup`: before the form, the enroll page asks what this code's clinic wants. */
export const EnrollmentLookupRequest = EnrollRequest.pick({ code: true });
export type EnrollmentLookupRequest = z.infer<typeof EnrollmentLookupRequest>;
export const EnrollmentLookup = z.object({ signInSecret: SignInSecret });
export type EnrollmentLookup = z.infer<typeof EnrollmentLookup>;

// ---- users and devices -----------------------------------------------------------------------

export const AdminUserView = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  role: Role,
  disabled: z.boolean(),
  createdAt: z.number().int(),
});
export type AdminUserView = z.infer<typeof AdminUserView>;
export const UserList = z.object({ users: z.array(AdminUserView) });
export type UserList = z.infer<typeof UserList>;

export const DeviceView = z.object({
  id: z.string(),
  userId: z.string(),
  userName: z.string(),
  name: z.string(),
  createdAt: z.number().int(),
  lastSeenAt: z.number().int(),
  revokedAt: z.number().int().nullable(),
});
export type DeviceView = z.infer<typeof DeviceView>;
export const DeviceList = z.object({ devices: z.array(DeviceView) });
export type DeviceList = z.infer<typeof DeviceList>;

// ---- audit log and metrics -------------------------------------------------------------------

export const AuditEventType = z.enum([
  "sign_in",
  "sign_out",
  "refresh_reused",
  "enrollment_created",
  "enrollment_revoked",
  "enrolled",
  "enrollment_refused",
  "user_disabled",
  "user_enabled",
  "device_revoked",
  "session_created",
  "session_completed",
  "session_delivered",
  "session_partially_delivered",
  "session_failed",
  "session_redriven",
  "destination_changed",
  "destination_reset",
  "destination_tested",
  "policy_changed",
]);
export type AuditEventType = z.infer<typeof AuditEventType>;

export const AuditOutcome = z.enum([
  "ok",
  "refused",
  "rate_limited",
  "delivered",
  "partially_delivered",
  "failed",
]);
export type AuditOutcome = z.infer<typeof AuditOutcome>;

export const AuditRow = z.object({
  id: z.number().int(),
  at: z.number().int(),
  event: AuditEventType,
  outcome: AuditOutcome,
  userId: z.string().nullable(),
  userName: z.string().nullable(),
  deviceId: z.string().nullable(),
  sessionId: z.string().nullable(),
  /** The user, device, enrollment or destination acted on. */
  subjectId: z.string().nullable(),
  files: z.number().int().nullable(),
  accepted: z.number().int().nullable(),
  stored: z.number().int().nullable(),
  failed: z.number().int().nullable(),
  bytes: z.number().int().nullable(),
  retries: z.number().int().nullable(),
  /** PACS failure and refusal reason codes (e.g. "A900", "pacs_unreachable"). */
  reasons: z.array(z.string()),
});
export type AuditRow = z.infer<typeof AuditRow>;

const Instant = z.union([
  z.coerce.number().int().nonnegative(),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
  z.iso.date().transform((s) => Date.parse(`${s}T00:00:00Z`)),
]);

/** `GET /api/admin/audit?from&to&user&outcome&event&limit&format=csv`; from/to: ms or ISO 8601. */
export const AuditQuery = z.object({
  from: Instant.optional(),
  to: Instant.optional(),
  user: z.string().min(1).max(64).optional(),
  outcome: AuditOutcome.optional(),
  event: AuditEventType.optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
  format: z.enum(["json", "csv"]).default("json"),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

export const AuditPage = z.object({ rows: z.array(AuditRow) });
export type AuditPage = z.infer<typeof AuditPage>;

export const MetricsQuery = AuditQuery.pick({ from: true, to: true });

export const Metrics = z.object({
  from: z.number().int(),
  to: z.number().int(),
  /** Sessions whose last outcome is known, and the share of them fully delivered (0..1, or null). */
  sessionsFinished: z.number().int(),
  uploadSuccessRate: z.number().nullable(),
  /** Forwarding retries per finished study, averaged (null: none finished). */
  meanRetriesPerStudy: z.number().nullable(),
  /** From the PWA's job reports: of the studies queued offline, how many the PACS took in full. */
  offlineQueue: z.object({
    queued: z.number().int(),
    delivered: z.number().int(),
    completionRate: z.number().nullable(),
  }),
  /** From the PWA's job reports: requests the device tried again, per study (not cancelled). */
  clientRetries: z.object({
    studies: z.number().int(),
    meanPerStudy: z.number().nullable(),
  }),
  /** Studies queued offline per day (by when their report arrived), and how many were delivered. */
  offlineDaily: z.array(
    z.object({ day: z.string(), queued: z.number().int(), delivered: z.number().int() }),
  ),
  /** From a device's enrollment or first sign-in to its first delivered study. */
  timeToFirstUpload: z.object({
    devices: z.number().int(),
    medianMs: z.number().nullable(),
  }),
  volume: z.array(
    z.object({
      clinicId: z.string(),
      sessions: z.number().int(),
      bytes: z.number().int(),
      delivered: z.number().int(),
      failed: z.number().int(),
    }),
  ),
  daily: z.array(
    z.object({
      day: z.string(),
      sessions: z.number().int(),
      bytes: z.number().int(),
      delivered: z.number().int(),
      failed: z.number().int(),
    }),
  ),
  /** Sessions whose last outcome is failed or partly delivered: candidates for re-drive. */
  needsAttention: z.array(
    z.object({
      sessionId: z.string(),
      at: z.number().int(),
      outcome: AuditOutcome,
      reasons: z.array(z.string()),
    }),
  ),
});
export type Metrics = z.infer<typeof Metrics>;
