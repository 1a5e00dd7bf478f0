// Patient and General Study attributes for the objects we add: copied from the header of the
// study the user uploaded (so the PACS files them in that study), or, for photos of a patient
// with no images yet, taken from a short form with a new Study Instance UID.
import type { DicomItem } from "./part10";
import { DicomWriteError } from "./errors";
import {
  dicomDate,
  dicomTime,
  normaliseDate,
  normaliseSex,
  normaliseTime,
  personName,
  shortText,
} from "./dicom-text";
import { newUid } from "./uid";

/** What we know of an existing study, read from its uploaded instances. */
export interface StudyHeader {
  patientName: string;
  patientId: string;
  /** "YYYYMMDD" or "YYYY-MM-DD". */
  patientBirthDate?: string;
  patientSex?: string;
  studyInstanceUid: string;
  studyDate?: string;
  studyTime?: string;
  accessionNumber?: string;
  referringPhysicianName?: string;
  studyId?: string;
}

/** The short form for a patient without an uploaded study: name and ID are required. */
export interface PatientForm {
  patientName: string;
  patientId: string;
  patientBirthDate?: string;
  patientSex?: string;
}

// Study Instance UIDs are copied as they are (a PACS matches them byte for byte, and some real
// ones break the leading-zero rule); only what would corrupt the file is refused.
const UID_CHARACTERS = /^[0-9.]{1,64}$/;

/** The Patient and General Study modules, with the Study Instance UID typed for callers. */
export type StudyAttributes = DicomItem & { readonly StudyInstanceUID: string };

/** Patient and General Study modules of an existing study. */
export function existingStudyAttributes(study: StudyHeader): StudyAttributes {
  if (!UID_CHARACTERS.test(study.studyInstanceUid.trim())) {
    throw new DicomWriteError("invalid-study-uid");
  }
  return {
    // The source's own patient fields, even empty ones (Type 2): the PACS matches on the UID.
    ...patientAttributes(study, false),
    StudyInstanceUID: study.studyInstanceUid.trim(),
    StudyDate: normaliseDate(study.studyDate),
    StudyTime: normaliseTime(study.studyTime),
    ReferringPhysicianName: personName("referringPhysicianName", study.referringPhysicianName),
    StudyID: shortText("studyId", study.studyId, 16),
    AccessionNumber: shortText("accessionNumber", study.accessionNumber, 16),
  };
}

/** Patient and General Study modules of a new study made now for the given patient. */
export function newStudyAttributes(
  patient: PatientForm,
  now: Date,
  studyInstanceUid: string = newUid(),
): StudyAttributes {
  if (!UID_CHARACTERS.test(studyInstanceUid)) throw new DicomWriteError("invalid-study-uid");
  return {
    ...patientAttributes(patient, true),
    StudyInstanceUID: studyInstanceUid,
    StudyDate: dicomDate(now),
    StudyTime: dicomTime(now),
    ReferringPhysicianName: "",
    StudyID: "",
    AccessionNumber: "",
  };
}

function patientAttributes(patient: PatientForm, required: boolean): DicomItem {
  const name = personName("patientName", patient.patientName);
  const id = shortText("patientId", patient.patientId, 64);
  if (required && (!name || !id)) throw new DicomWriteError("missing-patient-details");
  return {
    PatientName: name,
    PatientID: id,
    PatientBirthDate: normaliseDate(patient.patientBirthDate),
    PatientSex: normaliseSex(patient.patientSex),
  };
}
