// A JPEG or PNG photo as a DICOM Secondary Capture Image (see docs/photo-dicom.md for why SC and
// not VL Photographic). Baseline JPEG goes in compressed and unchanged; PNG is decoded to native
// pixels. The photo joins an uploaded study, or a new study for a patient typed into a form.
import { dicomDate, dicomTime, shortText } from "./dicom-text";
import { DicomWriteError } from "./errors";
import { isJpeg, readBaselineJpeg } from "./jpeg-baseline";
import {
  EXPLICIT_VR_LITTLE_ENDIAN,
  JPEG_BASELINE_PROCESS_1,
  writePart10,
  type DicomItem,
} from "./part10";
import { decodePng, isPng } from "./png-decode";
import { pngToNativePixels } from "./png-pixels";
import {
  existingStudyAttributes,
  newStudyAttributes,
  type PatientForm,
  type StudyAttributes,
  type StudyHeader,
} from "./study-header";
import { newUid } from "./uid";

export const SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7";
/** Sorts after a modality's own series in most viewers; DICOM does not need it to be unique. */
export const PHOTO_SERIES_NUMBER = 991;

export type PhotoSubject =
  | { kind: "existing-study"; study: StudyHeader }
  /** Pass the studyInstanceUid returned for the first photo to put later ones in the same study. */
  | {
      kind: "new-study";
      patient: PatientForm;
      studyInstanceUid?: string;
      /** The new study's description (default "Clinical photos"). */
      studyDescription?: string;
    };

export interface PhotoInput {
  bytes: Uint8Array;
  subject: PhotoSubject;
  now: Date;
  /** When the photo was taken, if known (e.g. File.lastModified); else `now`. */
  takenAt?: Date;
  /** Pass the series returned for the first photo to keep several photos in one series. */
  series?: { seriesInstanceUid: string; seriesNumber: number };
  instanceNumber?: number;
  description?: string;
  /** Keep a JPEG's Exif/XMP/comment segments (they may hold the GPS position): default false. */
  keepJpegMetadata?: boolean;
}

export interface PhotoDicom {
  bytes: Uint8Array;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  seriesNumber: number;
  sopInstanceUid: string;
  transferSyntaxUid: string;
}

export function photoSecondaryCapture(input: PhotoInput): PhotoDicom {
  const image = imageAttributes(input);
  const study = studyAttributes(input.subject, input.now);
  const seriesInstanceUid = input.series?.seriesInstanceUid ?? newUid();
  const seriesNumber = input.series?.seriesNumber ?? PHOTO_SERIES_NUMBER;
  const sopInstanceUid = newUid();
  const taken = input.takenAt ?? input.now;

  const dataset: DicomItem = {
    SpecificCharacterSet: "ISO_IR 192",
    SOPClassUID: SECONDARY_CAPTURE,
    SOPInstanceUID: sopInstanceUid,
    InstanceCreationDate: dicomDate(input.now),
    InstanceCreationTime: dicomTime(input.now),
    ...study,
    // General Series. XC (external-camera photography) is what the pixels are. Laterality is
    // Type 2C: we cannot know the side from a photo, so it is present and empty ("unknown").
    Modality: "XC",
    SeriesInstanceUID: seriesInstanceUid,
    SeriesNumber: seriesNumber,
    SeriesDescription: shortText("description", input.description ?? "Photo", 64),
    Laterality: "",
    // General Equipment describes the camera, which we do not know; SC Equipment describes us.
    Manufacturer: "",
    ConversionType: "DI",
    SecondaryCaptureDeviceManufacturer: "RelayPACS",
    // General Image and SC Image.
    InstanceNumber: input.instanceNumber ?? 1,
    PatientOrientation: "",
    ContentDate: dicomDate(taken),
    ContentTime: dicomTime(taken),
    DateOfSecondaryCapture: dicomDate(input.now),
    TimeOfSecondaryCapture: dicomTime(input.now),
    // A phone photo may show a wristband, a label, a screen or a face. We cannot tell, and a
    // wrong "NO" would let de-identification tools trust the pixels, so both say "YES".
    BurnedInAnnotation: "YES",
    RecognizableVisualFeatures: "YES",
    ...image.attributes,
  };
  const transferSyntaxUid = image.transferSyntaxUid;
  const bytes = writePart10(dataset, { transferSyntaxUid, pixelDataVr: image.pixelDataVr });
  const studyInstanceUid = study.StudyInstanceUID;
  return {
    bytes,
    studyInstanceUid,
    seriesInstanceUid,
    seriesNumber,
    sopInstanceUid,
    transferSyntaxUid,
  };
}

function studyAttributes(subject: PhotoSubject, now: Date): StudyAttributes {
  if (subject.kind === "existing-study") return existingStudyAttributes(subject.study);
  const study = newStudyAttributes(subject.patient, now, subject.studyInstanceUid);
  const description = shortText("studyDescription", subject.studyDescription, 64);
  return { ...study, StudyDescription: description || "Clinical photos" };
}

interface ImageAttributes {
  attributes: DicomItem;
  transferSyntaxUid: string;
  pixelDataVr: "OB" | "OW";
}

function imageAttributes(input: PhotoInput): ImageAttributes {
  const { bytes } = input;
  if (isJpeg(bytes)) {
    const jpeg = readBaselineJpeg(bytes, { keepMetadata: input.keepJpegMetadata ?? false });
    return {
      transferSyntaxUid: JPEG_BASELINE_PROCESS_1,
      pixelDataVr: "OB",
      attributes: {
        ...pixelModule(jpeg.rows, jpeg.columns, jpeg.samplesPerPixel, 8),
        PhotometricInterpretation: jpeg.photometricInterpretation,
        // The camera compressed it lossily; the ratio is unknown, so it is left out.
        LossyImageCompression: "01",
        LossyImageCompressionMethod: "ISO_10918_1",
        PixelData: [exactBuffer(jpeg.stream)],
      },
    };
  }
  if (isPng(bytes)) {
    const pixels = pngToNativePixels(decodePng(bytes));
    return {
      transferSyntaxUid: EXPLICIT_VR_LITTLE_ENDIAN,
      pixelDataVr: pixels.bitsAllocated === 16 ? "OW" : "OB",
      attributes: {
        ...pixelModule(pixels.rows, pixels.columns, pixels.samplesPerPixel, pixels.bitsAllocated),
        PhotometricInterpretation: pixels.photometricInterpretation,
        PixelData: [exactBuffer(pixels.data)],
      },
    };
  }
  throw new DicomWriteError(isHeic(bytes) ? "heic-photo" : "not-a-photo");
}

function pixelModule(rows: number, columns: number, samples: 1 | 3, bits: 8 | 16): DicomItem {
  return {
    Rows: rows,
    Columns: columns,
    SamplesPerPixel: samples,
    BitsAllocated: bits,
    BitsStored: bits,
    HighBit: bits - 1,
    PixelRepresentation: 0,
    ...(samples === 3 ? { PlanarConfiguration: 0 } : {}),
  };
}

/** HEIF family: an ISO BMFF "ftyp" box whose brand is one of Apple's HEIC/HEIF brands. */
function isHeic(bytes: Uint8Array): boolean {
  const text = String.fromCharCode(...bytes.subarray(4, 12));
  return /^ftyp(heic|heix|hevc|hevx|heim|heis|mif1|msf1)$/.test(text);
}

function exactBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer;
}
