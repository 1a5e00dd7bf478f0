// A clinic's policy, as stored in D1 (clinics.encrypt_queued_files, clinics.sign_in_secret) and as
// the signed-in user receives it with every sign-in and refresh: the offline queue's encryption and
// whether people enrolling choose a password or a PIN.
import { z } from "zod";
import {
  DEFAULT_CLINIC_POLICY,
  SignInSecret,
  type ClinicPolicy,
  type ClinicPolicyChange,
} from "../contract";

const PolicyRow = z.object({
  encrypt_queued_files: z.number().int(),
  sign_in_secret: SignInSecret,
});

export async function clinicPolicy(env: Env, clinicId: string): Promise<ClinicPolicy> {
  const row = await env.DB.prepare(
    "SELECT encrypt_queued_files, sign_in_secret FROM clinics WHERE id = ?",
  )
    .bind(clinicId)
    .first();
  if (!row) return DEFAULT_CLINIC_POLICY;
  const stored = PolicyRow.parse(row);
  return {
    encryptQueuedFiles: stored.encrypt_queued_files === 1,
    signInSecret: stored.sign_in_secret,
  };
}

/** Changes the fields given; the others keep their stored values. */
export async function setClinicPolicy(
  env: Env,
  clinicId: string,
  change: ClinicPolicyChange,
): Promise<void> {
  const encrypt =
    change.encryptQueuedFiles === undefined ? null : change.encryptQueuedFiles ? 1 : 0;
  await env.DB.prepare(
    `UPDATE clinics SET encrypt_queued_files = COALESCE(?, encrypt_queued_files),
      sign_in_secret = COALESCE(?, sign_in_secret) WHERE id = ?`,
  )
    .bind(encrypt, change.signInSecret ?? null, clinicId)
    .run();
}
