// The clinician's free-text clinical impression as a Basic Text SR document, filed in the same
// study as the uploaded images (new series, modality SR). Not a report template (TID 2000): one
// titled container holding one text item, plus the author as observer context when known.
import { dicomDate, dicomTime, longText, personName } from "./dicom-text";
import { DicomWriteError } from "./errors";
import { EXPLICIT_VR_LITTLE_ENDIAN, writePart10, type DicomItem } from "./part10";
import { existingStudyAttributes, type StudyHeader } from "./study-header";
import { newUid } from "./uid";

export const BASIC_TEXT_SR = "1.2.840.10008.5.1.4.1.1.88.11";

/** Sorts after a modality's own series in most viewers; DICOM does not need it to be unique. */
export const IMPRESSION_SERIES_NUMBER = 990;

// Codes from DICOM's own coding scheme (PS3.16 Annex D), the pair TID 2000 uses for an
// "Impressions" section and its text: every SR viewer knows them and they carry no LOINC licence
// terms. LOINC 11329-0 was considered and rejected: it means "History", not an impression.
const IMPRESSIONS = code("121072", "Impressions");
const IMPRESSION = code("121073", "Impression");
const PERSON_OBSERVER_NAME = code("121008", "Person Observer Name");

export interface ImpressionInput {
  impression: string;
  study: StudyHeader;
  /** The clinician, as typed or as "Family^Given"; written as the observer when given. */
  author?: string;
  now: Date;
  seriesNumber?: number;
}

/** A Part 10 Basic Text SR file (Explicit VR Little Endian, UTF-8 text). */
export function impressionSr(input: ImpressionInput): Uint8Array {
  const text = longText(input.impression);
  if (!text.trim()) throw new DicomWriteError("empty-impression");
  const author = personName("author", input.author);
  const date = dicomDate(input.now);
  const time = dicomTime(input.now);

  const observer: DicomItem[] = author
    ? [
        {
          RelationshipType: "HAS OBS CONTEXT",
          ValueType: "PNAME",
          ConceptNameCodeSequence: [PERSON_OBSERVER_NAME],
          PersonName: author,
        },
      ]
    : [];

  const dataset: DicomItem = {
    // SOP Common; UTF-8 so that an impression in any language survives.
    SpecificCharacterSet: "ISO_IR 192",
    SOPClassUID: BASIC_TEXT_SR,
    SOPInstanceUID: newUid(),
    InstanceCreationDate: date,
    InstanceCreationTime: time,
    // Patient and General Study, copied from the uploaded study.
    ...existingStudyAttributes(input.study),
    // SR Document Series.
    Modality: "SR",
    SeriesInstanceUID: newUid(),
    SeriesNumber: input.seriesNumber ?? IMPRESSION_SERIES_NUMBER,
    SeriesDate: date,
    SeriesTime: time,
    SeriesDescription: "Clinical impression",
    ReferencedPerformedProcedureStepSequence: [],
    // General Equipment.
    Manufacturer: "RelayPACS",
    // SR Document General: typed by a clinician, not signed off in a reporting system.
    InstanceNumber: 1,
    CompletionFlag: "COMPLETE",
    VerificationFlag: "UNVERIFIED",
    ContentDate: date,
    ContentTime: time,
    PerformedProcedureCodeSequence: [],
    // SR Document Content: the root container.
    ValueType: "CONTAINER",
    ConceptNameCodeSequence: [IMPRESSIONS],
    ContinuityOfContent: "SEPARATE",
    ContentSequence: [
      ...observer,
      {
        RelationshipType: "CONTAINS",
        ValueType: "TEXT",
        ConceptNameCodeSequence: [IMPRESSION],
        TextValue: text,
      },
    ],
  };
  return writePart10(dataset, { transferSyntaxUid: EXPLICIT_VR_LITTLE_ENDIAN });
}

function code(value: string, meaning: string): DicomItem {
  return { CodeValue: value, CodingSchemeDesignator: "DCM", CodeMeaning: meaning };
}
