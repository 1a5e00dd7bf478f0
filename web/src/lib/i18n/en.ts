// English strings of the intake and upload screens. The catalog's shape is the type every other
// language must match (fr.ts), key for key and argument for argument. The intake's own English
// sentences (rejected files, warnings, DICOM writer errors) are reused, not copied.
import { dicomWriteMessage, type DicomWriteErrorCode } from "../dicom-write/errors";
import type { DicomdirNote } from "../intake/dicomdir-check";
import { describeWarning, type WarningDetail } from "../intake/checks";
import { describeProblem, type IntakeProblem } from "../intake/problems";
import { formatBytes, formatStudyDate } from "../format";

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);
const count = (n: number) => n.toLocaleString("en-GB");

export const en = {
  bytes: (n: number): string => formatBytes(n),
  /** "2004-01-19" → "19 Jan 2004". */
  date: (iso: string): string => formatStudyDate(iso),

  "page.title": "Upload Study",
  "page.documentTitle": "Upload Study · RelayPACS",
  "lang.label": "Language",

  "pick.intro":
    "Choose what to send: DICOM files, a folder from a CD or USB stick, a ZIP or RAR archive, or photos.",
  "pick.files": "Choose files",
  "pick.filesHint": "DICOM files, ZIP or RAR archives, JPEG or PNG photos.",
  "pick.folder": "Choose a folder",
  "pick.camera": "Take a photo",
  "pick.drop": "Or drop files or a folder here.",
  "pick.dropActive": "Drop to read these files.",
  "pick.again": "Choose other files",

  "scan.title": "Reading the files…",
  "scan.progress": (files: number, size: string, total?: number) =>
    total === undefined
      ? `${count(files)} ${plural(files, "file", "files")} read (${size}).`
      : `${count(files)} of ${count(total)} files read (${size}).`,
  "scan.note": "Only the first bytes of each file are read. Nothing leaves this device yet.",
  "scan.stop": "Stop reading",

  "empty.title": "Nothing to send",
  "empty.text": "None of these files is a DICOM image or a photo we can send.",

  "studies.title": "Which study first?",
  "studies.intro": (n: number) =>
    `These files hold ${n} studies. Each study is checked and sent on its own: choose one.`,
  "studies.sent": "In the upload queue",
  "studies.noName": "No patient name in the files",

  "review.title": "Check the study",
  "study.heading": "Study",
  "study.patient": "Patient",
  "study.patientId": "Patient ID",
  "study.date": "Study date",
  "study.modalities": "Type of images",
  "study.description": "Description",
  "study.instances": "Images",
  "study.size": "Size",
  "study.notInFiles": "Not in the files",
  "study.rename": "Study description",
  "study.renameHintExisting":
    "Used in this app only (the confirmation and the upload queue): the images are sent exactly as they are, so the PACS keeps the description they carry.",
  "study.renameHintNew": "Written into the photos: the PACS shows this description.",

  "series.legend": "Series to send",
  "series.hint": "Untick a series to leave it out.",
  "series.noDescription": "No description",
  images: (n: number) => `${count(n)} ${plural(n, "image", "images")}`,

  "photos.title": (n: number) => `Photos (${n})`,
  "photos.hintExisting": "Each photo is added to this study as a DICOM image.",
  "photos.hintNew": "The photos are sent as a new study of the patient named below.",
  "photos.remove": "Remove",
  "photos.removeLabel": (name: string) => `Remove ${name}`,
  "photos.checking": "Checking…",
  "photos.ready": "Ready to send",
  "photos.another": "Take another photo",

  "patient.legend": "Who is in these photos?",
  "patient.intro":
    "No DICOM images came with these photos, so the PACS needs the patient's name and ID.",
  "patient.family": "Family name",
  "patient.given": "Given name (optional)",
  "patient.id": "Patient ID",
  "patient.birthDate": "Date of birth (optional)",
  "patient.sex": "Sex (optional)",
  "patient.sexUnknown": "Not given",
  "patient.sexF": "Female",
  "patient.sexM": "Male",
  "patient.sexO": "Other",
  "patient.missing": "Enter the patient's family name and ID.",

  "warnings.title": "Check before sending",
  "rejected.summary": (n: number) =>
    `${count(n)} ${plural(n, "file", "files")} will not be sent. Show why`,
  "impression.label": "Clinical impression (optional)",
  "impression.hint":
    "What the person reading the images should know. It goes to the PACS as a text report in the same study.",

  "review.continue": "Continue",
  "review.nothing": "Nothing is ticked. Tick a series, or add a photo, to send something.",
  "review.otherStudy": "Choose another study",

  "gate.title": "Ready to send?",
  "gate.question": (images: number, patient: string) =>
    `Send ${count(images)} ${plural(images, "image", "images")} of ${patient} to the PACS?`,
  "gate.someone": "this patient",
  "gate.description": (text: string) => `Study description: ${text}`,
  "gate.photos": (n: number) =>
    `${plural(n, "It includes 1 photo", `They include ${n} photos`)}, sent as DICOM images.`,
  "gate.impression": "Your clinical impression goes with them, as a text report in the same study.",
  "gate.send": "Yes, send",
  "gate.preparing": "Preparing…",
  "gate.back": "Go back",

  "upload.starting": "Starting the upload…",
  "upload.keepOpen":
    "You can leave this screen: the study stays in the upload queue and goes on while the app is open.",
  "upload.queue": "See the upload queue",
  "upload.another": "Upload another study",
  "upload.next": (n: number) =>
    `Check the next study from these files (${n} ${plural(n, "is", "are")} left)`,
  "upload.home": "Home",
  "upload.tryAgain": "Try again",
  "upload.startOver": "Start over",

  "error.unexpected": "Something went wrong in this app. Please try again.",
  "error.photo": (name: string, message: string) => `${name}: ${message}`,

  problem: (problem: IntakeProblem): string => describeProblem(problem),
  warning: (detail: WarningDetail): string => describeWarning(detail),
  writeError: (code: DicomWriteErrorCode): string => dicomWriteMessage(code),
  dicomdir: (note: Pick<DicomdirNote, "referencedFiles" | "missingFiles">): string => {
    const intro = "This is the index of a CD or DVD (DICOMDIR), not an image, so it is not sent.";
    const listed = note.referencedFiles;
    const missing = note.missingFiles.length;
    if (listed === 0) return intro;
    return missing === 0
      ? `${intro} All ${listed} files it lists were found.`
      : `${intro} ${missing} of the ${listed} files it lists are missing from what you picked: pick the whole disc or folder.`;
  },
};

export type Catalog = typeof en;
