// Writes (and, for tests and checks, reads) DICOM Part 10 files through dcmjs: the one module that
// touches its untyped API. Callers describe a data set by DICOM keywords; this adds the preamble,
// the "DICM" prefix and the file meta information. It knows nothing of SR or photos.
import { data } from "dcmjs";

export const EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1";
export const JPEG_BASELINE_PROCESS_1 = "1.2.840.10008.1.2.4.50";

/** RelayPACS's own Implementation Class UID (made once with uid.ts) and version name. */
const IMPLEMENTATION_CLASS_UID = "2.25.3127123995554813156567221809582982685";
const IMPLEMENTATION_VERSION_NAME = "RELAYPACS_1";

export type DicomScalar = string | number;
/** A value as dcmjs's "naturalized" data sets hold it: text, numbers, items, or pixel frames. */
export type DicomValue =
  DicomScalar | readonly DicomScalar[] | readonly DicomItem[] | readonly ArrayBuffer[];
export interface DicomItem {
  readonly [keyword: string]: DicomValue;
}

export interface WriteOptions {
  transferSyntaxUid: string;
  /** VR of Pixel Data when present: OB for 8-bit and encapsulated, OW for 16-bit. */
  pixelDataVr?: "OB" | "OW";
}

/** A complete Part 10 file. Needs SOPClassUID and SOPInstanceUID in the data set. */
export function writePart10(dataset: DicomItem, options: WriteOptions): Uint8Array {
  checkKeywords(dataset);
  const meta = {
    FileMetaInformationVersion: [new Uint8Array([0, 1]).buffer],
    MediaStorageSOPClassUID: requireString(dataset, "SOPClassUID"),
    MediaStorageSOPInstanceUID: requireString(dataset, "SOPInstanceUID"),
    TransferSyntaxUID: options.transferSyntaxUid,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: IMPLEMENTATION_VERSION_NAME,
  };
  const dictionary = data.DicomMetaDictionary;
  const file = new data.DicomDict(dictionary.denaturalizeDataset(meta));
  const vrMap = options.pixelDataVr ? { PixelData: options.pixelDataVr } : {};
  file.dict = dictionary.denaturalizeDataset({ ...dataset, _vrMap: vrMap });
  // One fragment per frame: the JPEG stream goes in whole, exactly as it came.
  return new Uint8Array(file.write({ fragmentMultiframe: false }));
}

export interface ReadResult {
  transferSyntaxUid: string;
  dataset: Readonly<Record<string, unknown>>;
}

/** Reads a Part 10 file back into keywords (tests and self-checks; values are not narrowed). */
export function readPart10(bytes: Uint8Array): ReadResult {
  const copy = bytes.slice().buffer;
  const file = data.DicomMessage.readFile(copy);
  const meta = data.DicomMetaDictionary.naturalizeDataset(file.meta);
  const transferSyntaxUid = meta["TransferSyntaxUID"];
  const dataset = data.DicomMetaDictionary.naturalizeDataset(file.dict);
  return {
    transferSyntaxUid: typeof transferSyntaxUid === "string" ? transferSyntaxUid : "",
    dataset: dataset["SpecificCharacterSet"] === "ISO_IR 192" ? fixNestedUtf8(dataset) : dataset,
  };
}

// dcmjs 0.51 decodes text inside sequence items as windows-1252 whatever the Specific Character
// Set says (dcmjs issues #503, #508; the bytes it writes are right). windows-1252 as TextDecoder
// has it maps each byte to its own character, so the bytes, hence the UTF-8 text, can be had back.
let windows1252: Map<string, number> | undefined;

function fixNestedUtf8(dataset: Record<string, unknown>): Record<string, unknown> {
  windows1252 ??= new Map(
    [...new TextDecoder("windows-1252").decode(Uint8Array.from({ length: 256 }, (_, i) => i))].map(
      (ch, i) => [ch, i],
    ),
  );
  const table = windows1252;
  const utf8 = new TextDecoder("utf-8");
  const redecode = (text: string): string =>
    utf8.decode(Uint8Array.from(text, (ch) => table.get(ch) ?? 0x3f));
  // Strings, lists of them, and Person Name objects ({ Alphabetic, ... }).
  const fixValue = (value: unknown): unknown => {
    if (typeof value === "string") return redecode(value);
    if (Array.isArray(value)) return value.map(fixValue);
    if (typeof value !== "object" || value === null || value instanceof ArrayBuffer) return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fixValue(v)]));
  };
  const fixItem = (item: Record<string, unknown>, nested: boolean): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(item).map(([keyword, value]) => {
        if (data.DicomMetaDictionary.nameMap[keyword]?.vr === "SQ" && Array.isArray(value)) {
          return [keyword, value.map((child: Record<string, unknown>) => fixItem(child, true))];
        }
        return [keyword, nested ? fixValue(value) : value];
      }),
    );
  return fixItem(dataset, false);
}

// dcmjs warns about unknown keywords by printing their values, which may be a patient's data:
// refuse them here first, naming only the keyword.
function checkKeywords(item: DicomItem): void {
  for (const [keyword, value] of Object.entries(item)) {
    if (!data.DicomMetaDictionary.nameMap[keyword]) {
      throw new Error(`Unknown DICOM keyword: ${keyword}`);
    }
    if (Array.isArray(value)) {
      for (const element of value as readonly unknown[]) {
        if (isItem(element)) checkKeywords(element);
      }
    }
  }
}

function isItem(value: unknown): value is DicomItem {
  return typeof value === "object" && value !== null && !(value instanceof ArrayBuffer);
}

function requireString(dataset: DicomItem, keyword: string): string {
  const value = dataset[keyword];
  if (typeof value !== "string" || !value) throw new Error(`${keyword} is required`);
  return value;
}
