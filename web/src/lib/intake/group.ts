// Groups parsed DICOM files into studies and series, as the upload screen lists them (one row per
// series: modality, description, count), after settling repeated SOP Instance UIDs: an exact copy
// is dropped, a different file under the same UID is a conflict. Pure: no I/O, no browser.
import type { DicomHeader } from "../dicom/read-header";
import type { IntakeEntry } from "./entry";

export interface ScannedInstance {
  path: string;
  size: number;
  entry: IntakeEntry;
  header: DicomHeader;
  /** SHA-256 of the bytes (hex); computed only for files whose SOP Instance UID repeats. */
  digest?: string;
}

export interface SeriesGroup {
  seriesInstanceUid: string;
  seriesNumber?: number | undefined;
  modality: string;
  description: string;
  instanceCount: number;
  bytes: number;
  instances: ScannedInstance[];
}

export interface StudyGroup {
  studyInstanceUid: string;
  patientName: string;
  patientId: string;
  studyDate: string;
  description: string;
  modalities: string[];
  instanceCount: number;
  bytes: number;
  series: SeriesGroup[];
  /** Every distinct patient (name and ID) seen in this study; more than one is a warning. */
  patients: { name: string; id: string }[];
}

export interface Duplicates {
  kept: ScannedInstance[];
  /** Exact copies of a kept file: left out, sent once. */
  dropped: { instance: ScannedInstance; keptPath: string }[];
  /** Same SOP Instance UID, different bytes: left out, the first one is sent. */
  conflicts: { instance: ScannedInstance; keptPath: string }[];
}

/** Keeps the first file of each SOP Instance UID (in scan order) and sorts out the others. */
export function settleDuplicates(instances: readonly ScannedInstance[]): Duplicates {
  const first = new Map<string, ScannedInstance>();
  const result: Duplicates = { kept: [], dropped: [], conflicts: [] };
  for (const instance of instances) {
    const kept = first.get(instance.header.sopInstanceUid);
    if (!kept) {
      first.set(instance.header.sopInstanceUid, instance);
      result.kept.push(instance);
      continue;
    }
    const same =
      kept.size === instance.size && kept.digest !== undefined && kept.digest === instance.digest;
    (same ? result.dropped : result.conflicts).push({ instance, keptPath: kept.path });
  }
  return result;
}

/** Non-empty values, each once, in the order first seen. */
function distinct(values: readonly string[]): string[] {
  return [...new Set(values.filter(Boolean))];
}

function append<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function byNumberThenPath(a: ScannedInstance, b: ScannedInstance): number {
  const an = a.header.instanceNumber ?? Number.MAX_SAFE_INTEGER;
  const bn = b.header.instanceNumber ?? Number.MAX_SAFE_INTEGER;
  return an - bn || a.path.localeCompare(b.path);
}

function seriesOf(uid: string, instances: ScannedInstance[]): SeriesGroup {
  instances.sort(byNumberThenPath);
  const first = instances[0]?.header;
  return {
    seriesInstanceUid: uid,
    seriesNumber: first?.seriesNumber,
    // Objects made later (an SR, a segmentation) sometimes share their source's series.
    modality: distinct(instances.map((i) => i.header.modality)).join(", "),
    description: first?.seriesDescription ?? "",
    instanceCount: instances.length,
    bytes: instances.reduce((sum, instance) => sum + instance.size, 0),
    instances,
  };
}

function studyOf(uid: string, instances: ScannedInstance[]): StudyGroup {
  const bySeries = new Map<string, ScannedInstance[]>();
  const patients = new Map<string, { name: string; id: string }>();
  for (const instance of instances) {
    const { seriesInstanceUid, patientName, patientId } = instance.header;
    append(bySeries, seriesInstanceUid, instance);
    patients.set(`${patientId}\u0000${patientName}`, { name: patientName, id: patientId });
  }
  const series = [...bySeries].map(([seriesUid, members]) => seriesOf(seriesUid, members));
  series.sort((a, b) => (a.seriesNumber ?? Infinity) - (b.seriesNumber ?? Infinity));
  const first = instances[0]!.header;
  const pick = (field: "studyDate" | "studyDescription") =>
    instances.find((instance) => instance.header[field])?.header[field] ?? "";
  return {
    studyInstanceUid: uid,
    patientName: first.patientName,
    patientId: first.patientId,
    studyDate: pick("studyDate"),
    description: pick("studyDescription"),
    modalities: distinct(series.flatMap((s) => s.instances.map((i) => i.header.modality))),
    instanceCount: instances.length,
    bytes: instances.reduce((sum, instance) => sum + instance.size, 0),
    series,
    patients: [...patients.values()],
  };
}

/** Studies in the order first seen; series by series number; instances by instance number. */
export function groupStudies(instances: readonly ScannedInstance[]): StudyGroup[] {
  const byStudy = new Map<string, ScannedInstance[]>();
  for (const instance of instances) {
    append(byStudy, instance.header.studyInstanceUid, instance);
  }
  return [...byStudy].map(([uid, members]) => studyOf(uid, members));
}
