// Every reason the intake gives for not sending a file, in one place: a code for the screens and
// tests, and a plain sentence saying what happened and what to do. No PHI in any of them.
import { z } from "zod";
import { formatBytes } from "../format";

const code = <C extends string>(name: C) => z.object({ code: z.literal(name) });
const bytesLimit = z.number().nonnegative();

/** Schema as well as type: problems cross the Web Worker boundary and are parsed there. */
export const intakeProblemSchema = z.discriminatedUnion("code", [
  code("not-an-image"),
  code("photo").extend({ format: z.enum(["JPEG", "PNG"]) }),
  code("empty"),
  code("unreadable"),
  code("dicom-cut-short"),
  code("dicom-unreadable"),
  code("dicom-without-ids"),
  code("duplicate-conflict").extend({ otherPath: z.string() }),
  code("other-archive").extend({ format: z.string() }),
  code("archive-damaged"),
  code("archive-empty"),
  code("member-damaged"),
  code("archive-bomb").extend({ ratio: z.number().positive() }),
  code("archive-too-large").extend({ limitBytes: bytesLimit }),
  code("archive-nested-too-deep"),
  code("password-protected"),
  code("archive-password-protected"),
  code("multi-volume"),
  code("unsupported-compression").extend({ method: z.string() }),
  code("member-too-large").extend({ limitBytes: bytesLimit }),
  code("rar-too-large").extend({ limitBytes: bytesLimit }),
  code("rar-reference"),
  code("link"),
  code("out-of-memory"),
  code("unpacker-failed"),
]);

export type IntakeProblem = z.infer<typeof intakeProblemSchema>;

export type ProblemCode = IntakeProblem["code"];

export interface Rejected {
  path: string;
  code: ProblemCode;
  /** The English sentence; `problem` holds the facts for other languages. */
  reason: string;
  problem: IntakeProblem;
}

const UNPACK_ELSEWHERE = "unpack it on a computer and send the folder instead";

export function describeProblem(problem: IntakeProblem): string {
  switch (problem.code) {
    case "not-an-image":
      return "This is not an image we can send (it is not a DICOM file). If it should be one, export the images again from the system that made them.";
    case "photo":
      return `This is a photo (${problem.format}), not a DICOM image. Photos cannot be sent to the PACS from this app yet.`;
    case "empty":
      return "This file is empty (0 bytes). Copy it again from where it came from.";
    case "unreadable":
      return "This file could not be read from your device. It may have been moved or deleted after you picked it: pick it again.";
    case "dicom-cut-short":
      return "This DICOM file is incomplete or damaged: it ends before its data does. Copy it again from the original CD, scanner or folder.";
    case "dicom-unreadable":
      return "This DICOM file's header is damaged and cannot be read. Export it again from the system that made it.";
    case "dicom-without-ids":
      return "This DICOM file has no study or image identifier, so a PACS cannot file it. Export it again from the system that made it.";
    case "duplicate-conflict":
      return `Another file (${problem.otherPath}) has the same image identifier but different content. Only that one will be sent; check with whoever made the images which one is right.`;
    case "other-archive":
      return `This is a ${problem.format} archive, which this app cannot open. Send a ZIP file instead, or ${UNPACK_ELSEWHERE}.`;
    case "archive-damaged":
      return "This archive is damaged or incomplete (perhaps its download did not finish). Download or copy it again.";
    case "archive-empty":
      return "This archive holds no files we could unpack. Check that you picked the right one.";
    case "member-damaged":
      return "This file is damaged inside its archive (its checksum does not match), so it was not sent. Copy or download the archive again.";
    case "archive-bomb":
      return `This archive would unpack to more than ${problem.ratio} times its size, as a "zip bomb" does, so it was not opened. If you trust it, ${UNPACK_ELSEWHERE}.`;
    case "archive-too-large":
      return `This archive would unpack to more than ${formatBytes(problem.limitBytes)}, so it was not opened. Send fewer studies at a time, or ${UNPACK_ELSEWHERE}.`;
    case "archive-nested-too-deep":
      return `This archive is inside another archive inside an archive; only one level is opened. Please ${UNPACK_ELSEWHERE}.`;
    case "password-protected":
      return "This file is password-protected inside its archive and cannot be opened here. Make the archive again without a password, or send the files themselves.";
    case "archive-password-protected":
      return "This archive is password-protected and cannot be opened here. Make it again without a password, or send the files themselves.";
    case "multi-volume":
      return `This is one part of an archive split into several parts, which cannot be opened here. Please ${UNPACK_ELSEWHERE}, or put all the files into one ZIP.`;
    case "unsupported-compression":
      return `This file is packed with a method this app cannot unpack (${problem.method}). Make the archive again as a standard ZIP, or ${UNPACK_ELSEWHERE}.`;
    case "member-too-large":
      return `This file is too large to unpack on this device (over ${formatBytes(problem.limitBytes)}). Please ${UNPACK_ELSEWHERE}.`;
    case "rar-too-large":
      return `This RAR archive is too large to open on this device (over ${formatBytes(problem.limitBytes)}). Send it as a ZIP instead, or ${UNPACK_ELSEWHERE}.`;
    case "rar-reference":
      return "This file is stored in the RAR archive as a reference to another file, which cannot be unpacked here. Make the archive again without file references, or send it as a ZIP.";
    case "link":
      return "This is a link to another file, not a file itself, so it was skipped. If the file it points to should be sent, pick that file itself.";
    case "unpacker-failed":
      return "This app could not start its unpacker for this archive. Reload the app and try again.";
    case "out-of-memory":
      return `This archive needs more memory than this device has free. Please ${UNPACK_ELSEWHERE}.`;
  }
}

export function rejected(path: string, problem: IntakeProblem): Rejected {
  return { path, code: problem.code, reason: describeProblem(problem), problem };
}
