// Learns a stored file's SOP class, SOP instance and transfer syntax from its first bytes, before
// the association is requested (the presentation contexts depend on them). Reads only as far as
// the file meta (or the start of a bare data set) reaches, then cancels the stream.
import { readInstanceInfo, type InfoProblem, type InstanceInfo } from "./part10";
import { concatBytes } from "./bytes";
import type { StoreSource } from "./types";

/** Far more than any file meta; a file whose header runs past this is not sent. */
export const PROBE_LIMIT_BYTES = 1024 * 1024;

export type ProbeResult =
  | { ok: true; info: InstanceInfo }
  | { ok: false; code: InfoProblem | "file_error"; reason: string };

const REASONS: Record<InfoProblem | "file_error", string> = {
  not_dicom:
    "This file is not a DICOM object RelayPACS can send (no readable DICOM header). Check that you picked the right file.",
  missing_uids:
    "This DICOM file lacks the identifiers a PACS needs to file it (SOP class or SOP instance UID). Export it again from the system that made it.",
  missing_transfer_syntax:
    "This DICOM file does not say how its contents are encoded (no transfer syntax in its header), so RelayPACS cannot tell the PACS how to read it. Export it again from the system that made it.",
  file_error:
    "RelayPACS could not read this file back from its own storage. Upload the file again.",
};

const failure = (code: InfoProblem | "file_error"): ProbeResult => ({
  ok: false,
  code,
  reason: REASONS[code],
});

export async function probeInstance(source: StoreSource): Promise<ProbeResult> {
  let reader: ReadableStreamDefaultReader<Uint8Array>;
  try {
    reader = (await source.open()).getReader();
  } catch {
    return failure("file_error");
  }
  const parts: Uint8Array[] = [];
  let length = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (value) {
        parts.push(value);
        length += value.length;
      }
      const prefix = parts.length === 1 && parts[0] ? parts[0] : concatBytes(parts);
      if (parts.length > 1) parts.splice(0, parts.length, prefix);
      if (done && length < source.size) return failure("file_error");
      const known = Math.min(prefix.length, source.size);
      const result = readInstanceInfo(prefix.subarray(0, known), source.size);
      if (result.kind === "ok") return { ok: true, info: result.info };
      if (result.kind === "invalid") return failure(result.problem);
      if (done) return failure("not_dicom");
      if (length >= PROBE_LIMIT_BYTES) return failure("not_dicom");
    }
  } catch {
    return failure("file_error");
  } finally {
    reader.cancel().catch(() => undefined);
  }
}
