// What the picked files add up to, for the summary card: who, when, what kind of images, how many.
// Pure; values are listed once each, in the order first seen.
import type { HeaderResult } from "./read-header";

export interface PickedFile {
  name: string;
  size: number;
  header: HeaderResult;
}

export interface StudySummary {
  patientNames: string[];
  patientIds: string[];
  studyDates: string[];
  modalities: string[];
  studyCount: number;
  fileCount: number;
  totalBytes: number;
  notDicomCount: number;
}

export function summariseStudy(files: readonly PickedFile[]): StudySummary {
  const names = new Set<string>();
  const ids = new Set<string>();
  const dates = new Set<string>();
  const modalities = new Set<string>();
  const studies = new Set<string>();
  let notDicomCount = 0;
  for (const file of files) {
    if (file.header.kind === "not-dicom") {
      notDicomCount++;
      continue;
    }
    const h = file.header.header;
    addIf(names, h.patientName);
    addIf(ids, h.patientId);
    addIf(dates, h.studyDate);
    addIf(modalities, h.modality);
    addIf(studies, h.studyInstanceUid);
  }
  return {
    patientNames: [...names],
    patientIds: [...ids],
    studyDates: [...dates],
    modalities: [...modalities],
    studyCount: studies.size,
    fileCount: files.length,
    totalBytes: files.reduce((sum, f) => sum + f.size, 0),
    notDicomCount,
  };
}

function addIf(set: Set<string>, value: string): void {
  if (value) set.add(value);
}
