// The intake core's public surface: sources → entries → scanIntake → studies, rejected files,
// warnings. Framework-free; a Svelte 5 class wraps it for the screens.
export { scanIntake, scanIntakeToEnd } from "./scan";
export type { IntakeResult, ScanEvent, ScanOptions } from "./scan";
export { entryFromBlob, entryFromBytes, isIgnoredPath } from "./entry";
export type { IntakeEntry } from "./entry";
export {
  eachEntryFromFiles,
  entriesFromDataTransfer,
  entriesFromDirectoryHandle,
  entriesFromFiles,
} from "./sources";
export type { DataTransferItemLike, DirectoryHandleLike, FileLike } from "./sources";
export { detectFormat } from "./detect";
export type { DetectedFormat } from "./detect";
export { DEFAULT_ARCHIVE_LIMITS } from "./archive-types";
export type { ArchiveExpander, ArchiveItem, ArchiveLimits } from "./archive-types";
export { expandArchiveHere } from "./archive";
export { workerArchiveExpander } from "./archive-client";
export { headPool } from "./head-pool";
export type { HeadReader } from "./head-pool";
export { describeWarning, listNames, numberRanges } from "./checks";
export type { IntakeWarning, SeriesRef, WarningCode, WarningDetail } from "./checks";
export type { DicomdirNote } from "./dicomdir-check";
export type { ScannedInstance, SeriesGroup, StudyGroup } from "./group";
export { describeProblem } from "./problems";
export type { IntakeProblem, ProblemCode, Rejected } from "./problems";
