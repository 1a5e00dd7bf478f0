// Types for synthetic-dicom.mjs, so TypeScript tests can import it.

export declare const CT_IMAGE_STORAGE: string;
export declare const EXPLICIT_VR_LE: string;
export declare const IMPLEMENTATION_UID: string;

/** A fresh UID under 2.25 (a UUID as one decimal integer). */
export declare function newUid(): string;

/** An element's tag, VR and length, without its value. */
export declare function elementHeader(
  group: number,
  elem: number,
  vr: string,
  length: number,
): Buffer;

/** A whole element: a number as US (or UL), a string as latin1, padded to even length. */
export declare function element(
  group: number,
  elem: number,
  vr: string,
  value: Buffer | number | string,
): Buffer;

/** Preamble, "DICM" and the file meta information group; the data set follows. */
export declare function filePreamble(options: {
  sopClassUid?: string;
  sopUid: string;
  versionName?: string;
}): Buffer;
