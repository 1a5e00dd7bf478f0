// Queue policy switches. Encryption at rest of queued files follows the clinic's policy, set by its
// admin and received with every sign-in and token refresh (signed out: not encrypted).
import type { ClinicPolicy } from "../uploader/contract";

/** Whether a study queued now is stored encrypted (AES-GCM, non-extractable key: blob-crypto.ts). */
export function encryptQueuedFiles(
  policy: Pick<ClinicPolicy, "encryptQueuedFiles"> | null | undefined,
): boolean {
  return policy?.encryptQueuedFiles === true;
}
