// What leaves the device for one confirmed study: the picked DICOM files, unchanged (a File the
// user picked is sent as that File; an archive member as a File over its stored Blob), plus the
// objects this app writes: each photo as a Secondary Capture and the clinical impression as a
// Basic Text SR, in the same study. The DICOM writers (dcmjs) load only when there is one to write.
import type { PatientForm, StudyHeader } from "../dicom-write/study-header";
import { dicomDate, dicomTime } from "../dicom-write/dicom-text";
import { DicomWriteError, type DicomWriteErrorCode } from "../dicom-write/errors";
import type { IntakeEntry } from "./entry";
import type { ScannedInstance, StudyGroup } from "./group";

export interface OutgoingPhoto {
  name: string;
  entry: IntakeEntry;
  /** When the photo was taken, if known (the file's modification time), in ms since 1970. */
  takenAt?: number | undefined;
}

export type OutgoingSubject =
  /** Photos and impression join the study of the picked DICOM files. */
  | { kind: "existing-study"; study: StudyHeader }
  /** Photos only: a new study for the patient typed into the form. */
  | { kind: "new-study"; patient: PatientForm; description: string };

export interface OutgoingRequest {
  instances: readonly ScannedInstance[];
  photos: readonly OutgoingPhoto[];
  subject: OutgoingSubject;
  impression: string;
  /** The signed-in clinician, written into the SR as its observer. */
  author?: string | undefined;
  /** Default: the device's clock now. */
  now?: Date;
}

/** A photo the writer refused; `code` words the reason (errors.ts), `name` says which photo. */
export class PhotoNotConverted extends Error {
  override readonly name = "PhotoNotConverted";
  constructor(
    readonly photo: string,
    readonly code: DicomWriteErrorCode,
  ) {
    super(`photo not converted: ${code}`);
  }
}

export const IMPRESSION_FILE_NAME = "clinical-impression.dcm";

/** The Patient and General Study values of a study, as its first instance's header has them. */
export function studyHeaderOf(study: StudyGroup): StudyHeader {
  const header = study.series[0]?.instances[0]?.header;
  return {
    patientName: header?.patientName ?? study.patientName,
    patientId: header?.patientId ?? study.patientId,
    patientBirthDate: header?.patientBirthDate ?? "",
    patientSex: header?.patientSex ?? "",
    studyInstanceUid: study.studyInstanceUid,
    studyDate: header?.studyDate || study.studyDate,
    studyTime: header?.studyTime ?? "",
    accessionNumber: header?.accessionNumber ?? "",
    referringPhysicianName: header?.referringPhysicianName ?? "",
    studyId: header?.studyId ?? "",
  };
}

const baseName = (path: string) => path.slice(path.lastIndexOf("/") + 1) || path;

function dicomFile(bytes: Uint8Array, name: string): File {
  const part = new Uint8Array(bytes.length);
  part.set(bytes);
  return new File([part], name, { type: "application/dicom" });
}

/** The picked file itself when there is one (sent byte for byte), else a File over its bytes. */
async function pickedFile(instance: ScannedInstance): Promise<File> {
  const { entry } = instance;
  if (entry.blob instanceof File) return entry.blob;
  const name = baseName(instance.path);
  if (entry.blob) return new File([entry.blob], name, { type: "application/dicom" });
  return dicomFile(await entry.read(0, entry.size), name);
}

export async function outgoingFiles(input: OutgoingRequest): Promise<File[]> {
  const request = { ...input, now: input.now ?? new Date() };
  const files = await Promise.all(request.instances.map(pickedFile));
  let studyHeader = request.subject.kind === "existing-study" ? request.subject.study : undefined;
  if (request.photos.length > 0) {
    const written = await photoFiles(request);
    files.push(...written.files);
    studyHeader ??= written.study;
  }
  const impression = request.impression.trim();
  if (impression && studyHeader) {
    const { impressionSr } = await import("../dicom-write/impression-sr");
    const bytes = impressionSr({
      impression,
      study: studyHeader,
      now: request.now,
      ...(request.author ? { author: request.author } : {}),
    });
    files.push(dicomFile(bytes, IMPRESSION_FILE_NAME));
  }
  return files;
}

async function photoFiles(request: OutgoingRequest & { now: Date }) {
  const { photoSecondaryCapture } = await import("../dicom-write/photo-sc");
  const { subject, now } = request;
  const files: File[] = [];
  let studyInstanceUid: string | undefined;
  let series: { seriesInstanceUid: string; seriesNumber: number } | undefined;
  for (const [index, photo] of request.photos.entries()) {
    const bytes = await photo.entry.read(0, photo.entry.size);
    let written;
    try {
      written = photoSecondaryCapture({
        bytes,
        now,
        subject:
          subject.kind === "existing-study"
            ? subject
            : {
                kind: "new-study",
                patient: subject.patient,
                studyDescription: subject.description,
                ...(studyInstanceUid ? { studyInstanceUid } : {}),
              },
        ...(photo.takenAt === undefined ? {} : { takenAt: new Date(photo.takenAt) }),
        ...(series ? { series } : {}),
        instanceNumber: index + 1,
      });
    } catch (error) {
      if (error instanceof DicomWriteError) throw new PhotoNotConverted(photo.name, error.code);
      throw error;
    }
    studyInstanceUid = written.studyInstanceUid;
    series = { seriesInstanceUid: written.seriesInstanceUid, seriesNumber: written.seriesNumber };
    files.push(dicomFile(written.bytes, `photo-${index + 1}.dcm`));
  }
  // For a new study, the SR joins the study the photos made, with the form's patient.
  const study: StudyHeader | undefined =
    subject.kind === "new-study" && studyInstanceUid
      ? {
          ...subject.patient,
          studyInstanceUid,
          studyDate: dicomDate(now),
          studyTime: dicomTime(now),
        }
      : undefined;
  return { files, study };
}
