// The one error type of the DICOM writers. Its message is shown to the clinician as is: what
// happened and what to do, in plain words, never the patient's data.

export type DicomWriteErrorCode =
  | "not-a-photo"
  | "heic-photo"
  | "damaged-photo"
  | "progressive-jpeg"
  | "arithmetic-jpeg"
  | "lossless-jpeg"
  | "high-bit-depth-jpeg"
  | "cmyk-jpeg"
  | "unsupported-png"
  | "photo-too-large"
  | "empty-impression"
  | "missing-patient-details"
  | "value-too-long"
  | "invalid-study-uid";

const MESSAGES: Readonly<Record<DicomWriteErrorCode, string>> = {
  "not-a-photo":
    "This file is not a JPEG or PNG photo, so it cannot be sent. Choose a JPEG or PNG photo and try again.",
  "heic-photo":
    "This photo is in HEIC format (the iPhone default), which we cannot send. Share or export it as JPEG (on iPhone: Settings > Camera > Formats > Most Compatible) and try again.",
  "damaged-photo":
    "This photo file is damaged or incomplete (it may not have finished downloading). Open it on the device to check it, save it again as JPEG or PNG, and try again.",
  "progressive-jpeg":
    "This photo is a progressive JPEG, which we cannot send unchanged. Save it as a standard JPEG or PNG and try again.",
  "arithmetic-jpeg":
    "This photo is a JPEG with arithmetic coding, which we cannot send unchanged. Save it as a standard JPEG or PNG and try again.",
  "lossless-jpeg":
    "This photo is a lossless or hierarchical JPEG, which we cannot send unchanged. Save it as a standard JPEG or PNG and try again.",
  "high-bit-depth-jpeg":
    "This photo is a 12-bit or extended JPEG, which we cannot send unchanged. Save it as a standard JPEG or PNG and try again.",
  "cmyk-jpeg":
    "This photo uses print colours (CMYK), which we cannot send. Save it as a standard JPEG or PNG in RGB colours and try again.",
  "unsupported-png":
    "This PNG uses a feature we cannot read. Save it again as a standard PNG or JPEG and try again.",
  "photo-too-large":
    "This photo is too large to send (more than 65,535 pixels on a side, or too big to handle on this device). Resize it and try again.",
  "empty-impression": "The clinical impression is empty. Write the impression and try again.",
  "missing-patient-details":
    "The patient's name and ID are needed to file this in the PACS. Fill them in and try again.",
  "value-too-long":
    "A patient or study detail is longer than DICOM allows. Shorten it and try again.",
  "invalid-study-uid":
    "The study this belongs to has an unreadable identifier, so we cannot add to it. Pick the study's images again and try again.",
};

/** The English message for a code (the screens word it in other languages themselves). */
export function dicomWriteMessage(code: DicomWriteErrorCode): string {
  return MESSAGES[code];
}

export class DicomWriteError extends Error {
  override readonly name = "DicomWriteError";

  /** `detail` names the field or the marker involved (never a patient's data), for logs. */
  constructor(
    readonly code: DicomWriteErrorCode,
    readonly detail?: string,
    options?: { cause?: unknown },
  ) {
    super(MESSAGES[code], options);
  }
}
