// What the PWA's queue tells the server when a job settles (for the admin metrics), the clinic's
// queue policy the signed-in user receives, and the answer of a destination's "test connection".
// A job report carries an opaque reference, times, counts and the outcome: never a name, an id,
// a file name or a note. It is a strict object, so a report with any other field is refused.
import { z } from "zod";
import { SessionId } from "./common";

export const JobReportOutcome = z.enum([
  "delivered",
  "partially_delivered",
  "failed",
  "expired",
  "cancelled",
]);
export type JobReportOutcome = z.infer<typeof JobReportOutcome>;

const Millis = z.number().int().min(0).max(8.64e15);
const Count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** `POST /api/reports`: one settled job of the offline queue. Sending it again is harmless. */
export const JobReport = z
  .strictObject({
    /** The receipt's opaque reference (the session id, or a random local id). */
    ref: z.string().regex(/^[0-9a-f]{8,64}$/, "an opaque reference (8 to 64 hex characters)"),
    /** The upload session, when the job got as far as opening one. */
    sessionId: SessionId.nullable(),
    outcome: JobReportOutcome,
    queuedAt: Millis,
    settledAt: Millis,
    /** The study was queued while the device had no network (or found none before it could leave). */
    queuedOffline: z.boolean(),
    /** Requests that failed and were tried again, over the job's life. */
    retries: Count,
    /** Bytes put on the wire a second time. */
    bytesResent: Count,
    files: Count,
    bytes: Count,
  })
  .refine((r) => r.settledAt >= r.queuedAt, {
    path: ["settledAt"],
    message: "settled before it was queued",
  });
export type JobReport = z.infer<typeof JobReport>;

export const JobReportAck = z.object({
  ref: z.string(),
  /** False when this report had been recorded before (a repeat after a lost answer). */
  recorded: z.boolean(),
});
export type JobReportAck = z.infer<typeof JobReportAck>;

/** What people enrolling in a clinic choose to sign in with: a password or a numeric PIN. */
export const SignInSecret = z.enum(["password", "pin"]);
export type SignInSecret = z.infer<typeof SignInSecret>;

/** What a clinic's admin decides about the devices' offline queue and how people enroll. */
export const ClinicPolicy = z.object({
  /** Keep queued studies encrypted (AES-GCM, a key the device cannot export) until sent. */
  encryptQueuedFiles: z.boolean(),
  /** Asked of people enrolling from now on; existing passwords and PINs keep working. */
  signInSecret: SignInSecret.default("password"),
});
export type ClinicPolicy = z.infer<typeof ClinicPolicy>;
export const DEFAULT_CLINIC_POLICY: ClinicPolicy = {
  encryptQueuedFiles: false,
  signInSecret: "password",
};
/** `PUT /api/admin/policy`: the fields sent change, the others stay as they are. */
export const ClinicPolicyChange = z
  .object({ encryptQueuedFiles: z.boolean(), signInSecret: SignInSecret })
  .partial()
  .refine((c) => Object.keys(c).length > 0, "at least one policy field");
export type ClinicPolicyChange = z.infer<typeof ClinicPolicyChange>;

/** How a destination answered "test connection", in a word and in plain words. */
export const ConnectionVerdict = z.enum([
  "reachable",
  "refused",
  "timed_out",
  "auth_rejected",
  "not_dicomweb",
  "association_rejected",
  "error",
]);
export type ConnectionVerdict = z.infer<typeof ConnectionVerdict>;

export const ConnectionTestResult = z.object({
  ok: z.boolean(),
  verdict: ConnectionVerdict,
  /** What was tried: a DICOM C-ECHO, a QIDO-RS query, or Orthanc's /system. */
  method: z.enum(["c-echo", "qido-rs", "orthanc-system"]),
  message: z.string(),
  elapsedMs: z.number().int().min(0),
});
export type ConnectionTestResult = z.infer<typeof ConnectionTestResult>;
