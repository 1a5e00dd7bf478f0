// A clinic's policy for its devices' offline queue, as stored in D1 (clinics.encrypt_queued_files)
// and as the signed-in user receives it with every sign-in and refresh.
import { z } from "zod";
import { DEFAULT_CLINIC_POLICY, type ClinicPolicy } from "../contract";

const PolicyRow = z.object({ encrypt_queued_files: z.number().int() });

export async function clinicPolicy(env: Env, clinicId: string): Promise<ClinicPolicy> {
  const row = await env.DB.prepare("SELECT encrypt_queued_files FROM clinics WHERE id = ?")
    .bind(clinicId)
    .first();
  if (!row) return DEFAULT_CLINIC_POLICY;
  return { encryptQueuedFiles: PolicyRow.parse(row).encrypt_queued_files === 1 };
}

export async function setClinicPolicy(
  env: Env,
  clinicId: string,
  policy: ClinicPolicy,
): Promise<void> {
  await env.DB.prepare("UPDATE clinics SET encrypt_queued_files = ? WHERE id = ?")
    .bind(policy.encryptQueuedFiles ? 1 : 0, clinicId)
    .run();
}
