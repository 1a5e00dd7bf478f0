// What a C-STORE-RSP Status (0000,0900) means for one image (PS3.7 9.1.1.1.9 and Annex C;
// PS3.4 B.2.3): stored, stored with a warning, or failed, with a sentence a clinician can act on.
// The codes C-STORE shares with STOW-RS take their words from ../reasons.ts, so both paths say
// the same thing about the same code.
import { formatReasonCode, reasonMessage, STORED_MESSAGE } from "../reasons";

export type StoreStatus = "stored" | "warning" | "failed";

export interface StatusVerdict {
  status: StoreStatus;
  /** The status as the standard writes it: four uppercase hex digits, e.g. "A700". */
  code: string;
  reason: string;
}

const ASK_ADMIN = "Ask your PACS administrator";

/** Statuses that only DIMSE has, or whose STOW wording would not fit. */
const DIMSE_ONLY: Record<number, string> = {
  0x0001: "Stored, with a warning from the PACS.",
  0x0210: `The PACS reported a duplicate request number (duplicate invocation) and did not store this image. RelayPACS can send it again; if this keeps happening, ${ASK_ADMIN.toLowerCase()} to check the PACS logs.`,
  0x0211: `The PACS does not offer image storage on this connection (unrecognized operation). ${ASK_ADMIN} to enable C-STORE for RelayPACS.`,
  0x0212: `The PACS could not read RelayPACS's storage request (mistyped argument). ${ASK_ADMIN} to check the PACS logs.`,
  0xfe00: "The PACS cancelled storing this image. RelayPACS can send it again.",
};

function isWarning(value: number): boolean {
  return value === 0x0001 || value === 0x0107 || value === 0x0116 || (value & 0xf000) === 0xb000;
}

function isPending(value: number): boolean {
  return value === 0xff00 || value === 0xff01;
}

export function classifyStoreStatus(value: number): StatusVerdict {
  const code = formatReasonCode(value);
  if (value === 0x0000) return { status: "stored", code, reason: STORED_MESSAGE };
  if (isPending(value)) {
    return {
      status: "failed",
      code,
      reason: `The PACS answered "still working" for this image, which a storage request never expects, so RelayPACS counts it as not stored. ${ASK_ADMIN} to check the PACS logs.`,
    };
  }
  const reason = DIMSE_ONLY[value] ?? reasonMessage(code);
  return { status: isWarning(value) ? "warning" : "failed", code, reason };
}

/** Failures worth sending again later without anyone changing anything (busy or full PACS). */
export function isTransientStatus(value: number): boolean {
  return (value & 0xff00) === 0xa700 || value === 0x0213 || value === 0xfe00 || value === 0x0210;
}
