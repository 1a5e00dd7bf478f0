// Plain-language sentences for what a PACS said about a STOW-RS request: per-instance Failure and
// Warning Reason codes (PS3.18 Annex I, PS3.4 B.2.3, PS3.7 Annex C) and whole-request HTTP
// statuses. Words for a clinician: what happened and what to do. No parsing here.

/** A US status value as the standard writes it: 4 uppercase hex digits, 49442 -> "C122". */
export function formatReasonCode(value: number): string {
  return value.toString(16).toUpperCase().padStart(4, "0");
}

export const STORED_MESSAGE = "Stored in the PACS.";
export const NOT_ACKNOWLEDGED_MESSAGE =
  "The PACS answered but did not confirm this image, so RelayPACS counts it as not stored. Send it again, or ask your PACS administrator whether it arrived.";

const ASK_ADMIN = "Ask your PACS administrator";
const EXPORT_AGAIN = "Export it again from the system that made it";

const BY_CODE: Record<string, string> = {
  // Failures
  "0110": `The PACS failed while storing this image (processing failure). ${ASK_ADMIN} to check the PACS logs.`,
  "0111": `The PACS already holds a different image with the same ID (duplicate instance). ${ASK_ADMIN} which copy is right.`,
  "0117": `The PACS found this image's identifiers invalid. ${EXPORT_AGAIN}.`,
  "0119": `The PACS found this image's ID already used for another kind of object (class-instance conflict). ${ASK_ADMIN}.`,
  "0122": `The PACS does not accept this kind of image (SOP class not supported). ${ASK_ADMIN} to enable it.`,
  "0124": `The PACS refused this image because RelayPACS is not authorised to store it. ${ASK_ADMIN} to check RelayPACS's permissions.`,
  "0213": "The PACS is short of resources right now. RelayPACS can send it again later.",
  A901: `This image belongs to a different study than the one it was sent with (study mismatch). ${EXPORT_AGAIN}.`,
  B00E: "The PACS already holds this image, so it did not store it again.",
  C122: `The PACS cannot read the compression of this image (transfer syntax not supported). ${ASK_ADMIN} whether it can accept it, or export the image uncompressed.`,
  // Warnings: the image was stored
  B000: "Stored, but the PACS changed some details of the image to match its records (coerced).",
  B006: "Stored, but the PACS discarded some details of the image (elements discarded).",
  B007: "Stored, but the PACS found that the image does not fully match its declared kind (SOP class).",
  "0107": "Stored, but the PACS did not recognise some details of the image.",
  "0116": "Stored, but some details of the image had values the PACS considers out of range.",
};

const BY_RANGE: Array<[RegExp, string]> = [
  [
    /^A7/,
    "The PACS is out of storage space or memory (out of resources). RelayPACS can send it again later; if this keeps happening, tell your PACS administrator.",
  ],
  [
    /^A9/,
    `The PACS found that this image does not match its declared kind (data set does not match SOP class). ${EXPORT_AGAIN}.`,
  ],
  [
    /^C/,
    `The PACS could not understand this image (cannot understand). ${EXPORT_AGAIN}, or ask your PACS administrator.`,
  ],
  [/^B/, "Stored, with a warning from the PACS."],
];

/** A sentence for a Failure Reason (0008,1197) or Warning Reason (0008,1196) code, e.g. "C122". */
export function reasonMessage(code: string): string {
  const upper = code.toUpperCase();
  const known = BY_CODE[upper] ?? BY_RANGE.find(([range]) => range.test(upper))?.[1];
  return (
    known ??
    `The PACS refused this image (reason code ${upper}). ${ASK_ADMIN} what this code means.`
  );
}

/** A sentence for a whole STOW-RS request that the PACS answered with this HTTP status. */
export function batchStatusMessage(status: number): string {
  switch (status) {
    case 200:
      return "The PACS stored all the images.";
    case 202:
      return "The PACS stored some of the images; each file says what happened to it.";
    case 400:
      return `The PACS could not read the request and stored nothing (bad request). ${ASK_ADMIN} to check its logs.`;
    case 401:
      return "The PACS did not accept RelayPACS's login. Ask your administrator to check the PACS user name and password in RelayPACS's settings.";
    case 403:
      return `The PACS refused RelayPACS access (forbidden). ${ASK_ADMIN} to allow RelayPACS to store images.`;
    case 404:
    case 405:
      return "The PACS has no DICOMweb upload service at the configured address. Ask your administrator to check the PACS URL in RelayPACS's settings.";
    case 409:
      return "The PACS refused these images because they conflict with what it already holds or what it accepts.";
    case 413:
      return "The PACS, or a proxy in front of it, refused the request as too large. RelayPACS sends the images in smaller batches.";
    case 415:
      return `The PACS does not accept the format RelayPACS sends (media type application/dicom). ${ASK_ADMIN} to enable DICOMweb STOW-RS uploads.`;
    case 408:
    case 425:
    case 429:
      return "The PACS is busy or answered too slowly; RelayPACS will try again automatically.";
  }
  if (status >= 500 && status <= 599)
    return "The PACS had a problem; RelayPACS will try again automatically.";
  if (status >= 300 && status <= 399) {
    return `The PACS address redirects elsewhere (HTTP ${status}). Ask your administrator to check the PACS URL in RelayPACS's settings.`;
  }
  if (status >= 200 && status <= 299) return "The PACS accepted the request.";
  return `The PACS refused the request (HTTP ${status}). ${ASK_ADMIN}.`;
}
