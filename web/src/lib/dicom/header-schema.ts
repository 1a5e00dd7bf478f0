// The header fields and the verdict on a file as zod schemas, for when they cross a Web Worker
// boundary (the head workers parse headers off the page's thread) and are parsed on arrival.
import { z } from "zod";
import type { HeaderVerdict } from "./header-verdict";
import type { DicomHeader } from "./read-header";

const text = z.string();
const count = z.number().int().optional();

export const dicomHeaderSchema = z.object({
  patientName: text,
  patientId: text,
  studyDate: text,
  modality: text,
  studyDescription: text,
  studyInstanceUid: text,
  seriesInstanceUid: text,
  seriesDescription: text,
  seriesNumber: count,
  sopClassUid: text,
  sopInstanceUid: text,
  transferSyntaxUid: text,
  instanceNumber: count,
  numberOfFrames: count,
  acquisitionNumber: count,
  imagesInAcquisition: count,
  seriesRelatedInstances: count,
  patientBirthDate: text.optional(),
  patientSex: text.optional(),
  studyTime: text.optional(),
  accessionNumber: text.optional(),
  referringPhysicianName: text.optional(),
  studyId: text.optional(),
}) satisfies z.ZodType<DicomHeader>;

export const headerVerdictSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("dicom"), header: dicomHeaderSchema, isDicomdir: z.boolean() }),
  z.object({ kind: z.literal("not-dicom") }),
  z.object({ kind: z.literal("damaged"), problem: z.enum(["cut-short", "unreadable"]) }),
]) satisfies z.ZodType<HeaderVerdict>;
