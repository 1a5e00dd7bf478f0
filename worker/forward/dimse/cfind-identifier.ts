// The identifier (query keys) of an IMAGE-level Study Root C-FIND that asks "which of these SOP
// Instance UIDs do you hold in this study?" (list-of-UID matching, PS3.4 C.2.2.2.2), and the one
// key RelayPACS reads back from each match. Little Endian only, Implicit or Explicit VR: the two
// transfer syntaxes RelayPACS proposes for C-FIND. Never carries patient names or ids.
import { ascii, asciiText, concatBytes, readU16le, readU32le } from "./bytes";

/** Keeps one identifier modest (about 6.5 KB of UIDs): longer lists go in several queries. */
export const MAX_UIDS_PER_QUERY = 100;

const SOP_INSTANCE_UID = 0x00080018;
const QUERY_RETRIEVE_LEVEL = 0x00080052;
const STUDY_INSTANCE_UID = 0x0020000d;
const SERIES_INSTANCE_UID = 0x0020000e;

export interface ImageQuery {
  studyInstanceUid: string;
  sopInstanceUids: string[];
}

/** The UIDs of each study, `max` at a time; duplicates asked once. */
export function imageQueries(
  instances: readonly { studyInstanceUid: string; sopInstanceUid: string }[],
  max = MAX_UIDS_PER_QUERY,
): ImageQuery[] {
  const byStudy = new Map<string, Set<string>>();
  for (const i of instances) {
    const uids = byStudy.get(i.studyInstanceUid) ?? new Set<string>();
    uids.add(i.sopInstanceUid);
    byStudy.set(i.studyInstanceUid, uids);
  }
  const queries: ImageQuery[] = [];
  for (const [studyInstanceUid, set] of byStudy) {
    const uids = [...set];
    for (let at = 0; at < uids.length; at += max) {
      queries.push({ studyInstanceUid, sopInstanceUids: uids.slice(at, at + max) });
    }
  }
  return queries;
}

/** `text` padded to even length: NUL for UI, space for CS (PS3.5 6.2). */
function padded(text: string, pad: number): Uint8Array {
  const bytes = ascii(text);
  if (bytes.length % 2 === 0) return bytes;
  return concatBytes([bytes, new Uint8Array([pad])]);
}

function element(tag: number, vr: string, value: Uint8Array, explicit: boolean): Uint8Array {
  const head = new Uint8Array(8);
  const view = new DataView(head.buffer);
  view.setUint16(0, tag >>> 16, true);
  view.setUint16(2, tag & 0xffff, true);
  if (explicit) {
    head.set(ascii(vr), 4);
    view.setUint16(6, value.length, true);
  } else {
    view.setUint32(4, value.length, true);
  }
  return concatBytes([head, value]);
}

/**
 * The identifier, elements in ascending tag order. SeriesInstanceUID goes along empty (a return
 * key): Orthanc matches without it, but a strictly hierarchical SCP (dcmtk's dcmqrscp) answers
 * "unable to process" (C000) to an IMAGE-level query that lacks the series level key.
 */
export function encodeImageQuery(q: ImageQuery, explicit: boolean): Uint8Array {
  const list = q.sopInstanceUids.join("\\");
  if (list.length > 0xfffe) throw new Error("too many UIDs for one identifier");
  return concatBytes([
    element(SOP_INSTANCE_UID, "UI", padded(list, 0), explicit),
    element(QUERY_RETRIEVE_LEVEL, "CS", padded("IMAGE", 0x20), explicit),
    element(STUDY_INSTANCE_UID, "UI", padded(q.studyInstanceUid, 0), explicit),
    element(SERIES_INSTANCE_UID, "UI", new Uint8Array(0), explicit),
  ]);
}

const LONG_VRS = new Set(["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT"]);

/**
 * The SOP Instance UID of one match, or undefined when it has none. Reads only the elements up to
 * (0008,0018), which come first in ascending order, so sequences later on never need parsing.
 * Trailing NUL and space are dropped: Orthanc pads UIDs with a space.
 */
export function readSopInstanceUid(identifier: Uint8Array, explicit: boolean): string | undefined {
  let at = 0;
  while (at + 8 <= identifier.length) {
    const tag = ((readU16le(identifier, at) << 16) | readU16le(identifier, at + 2)) >>> 0;
    let start = at + 8;
    let length = readU32le(identifier, at + 4);
    if (explicit) {
      const vr = String.fromCharCode(identifier[at + 4] ?? 0, identifier[at + 5] ?? 0);
      if (LONG_VRS.has(vr)) {
        length = readU32le(identifier, at + 8);
        start = at + 12;
      } else {
        length = readU16le(identifier, at + 6);
      }
    }
    if (tag > SOP_INSTANCE_UID || length === 0xffffffff) return undefined;
    if (start + length > identifier.length) return undefined;
    if (tag === SOP_INSTANCE_UID) {
      return asciiText(identifier.subarray(start, start + length)) || undefined;
    }
    at = start + length;
  }
  return undefined;
}
