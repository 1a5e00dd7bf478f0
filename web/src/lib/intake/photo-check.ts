// Tells early whether a picked photo can become a DICOM image, so the review screen can say so
// beside the photo instead of failing at send time. It runs the same checks the writer does
// (baseline JPEG frame header, full PNG decode) without loading dcmjs.
import { DicomWriteError, type DicomWriteErrorCode } from "../dicom-write/errors";
import { isJpeg, readBaselineJpeg } from "../dicom-write/jpeg-baseline";
import { decodePng, isPng } from "../dicom-write/png-decode";

/** HEIF family, as photo-sc.ts recognises it: an ISO BMFF "ftyp" box with an Apple brand. */
function isHeic(bytes: Uint8Array): boolean {
  const text = String.fromCharCode(...bytes.subarray(4, 12));
  return /^ftyp(heic|heix|hevc|hevx|heim|heis|mif1|msf1)$/.test(text);
}

/** null when the photo can be sent; else the writer's error code. */
export function photoProblem(bytes: Uint8Array): DicomWriteErrorCode | null {
  try {
    if (isJpeg(bytes)) readBaselineJpeg(bytes);
    else if (isPng(bytes)) decodePng(bytes);
    else return isHeic(bytes) ? "heic-photo" : "not-a-photo";
    return null;
  } catch (error) {
    if (error instanceof DicomWriteError) return error.code;
    if (error instanceof RangeError) return "photo-too-large"; // an allocation the device refused
    return "damaged-photo";
  }
}
