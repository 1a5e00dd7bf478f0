// Text decoding for DICOM string values by Specific Character Set (0008,0005): the single-byte
// ISO 8859 parts, UTF-8, GB18030/GBK, and ISO 2022 code extensions (Japanese, Korean, Chinese).
// It decodes whole values (a Person Name with all its groups); it does not split them.
import { decodeIso2022, type G1Set, type Iso2022State } from "./iso2022";

export type TextDecodeFn = (bytes: Uint8Array) => string;

/** WHATWG labels of the single-byte sets, by ISO-IR registration number. */
const SINGLE_BYTE: Readonly<Record<string, string>> = {
  "100": "iso-8859-1",
  "101": "iso-8859-2",
  "109": "iso-8859-3",
  "110": "iso-8859-4",
  "144": "iso-8859-5",
  "127": "iso-8859-6",
  "126": "iso-8859-7",
  "138": "iso-8859-8",
  "148": "iso-8859-9",
  "166": "windows-874", // TIS 620-2533 (Thai): WHATWG decodes it as windows-874
  "203": "iso-8859-15",
};

/** Multi-byte sets that cannot be combined with code extensions. */
const WHOLE_VALUE: Readonly<Record<string, string>> = {
  "ISO_IR 192": "utf-8",
  GB18030: "gb18030",
  GBK: "gbk",
};

/** "ISO-IR 100", "iso_ir 100 " and "ISO_IR 100" are the same term. */
function normalise(term: string): string {
  return term
    .trim()
    .toUpperCase()
    .replace(/^ISO-IR/, "ISO_IR")
    .replace(/^ISO[ _]2022[ _]IR/, "ISO 2022 IR");
}

/** The IR number of "ISO_IR n" or "ISO 2022 IR n", or "" for anything else. */
function irNumber(term: string): string {
  return /^ISO(?:_| 2022 )IR (\d+)$/.exec(term)?.[1] ?? "";
}

/** The character sets in force at the start of every value, from value 1 of (0008,0005). */
function initialState(first: string): Iso2022State {
  const ir = irNumber(first);
  if (ir === "13") return { g0: "ascii", g1: { kind: "katakana" } };
  const g1: G1Set =
    ir === "149"
      ? { kind: "double", label: "euc-kr" }
      : ir === "58"
        ? { kind: "double", label: "gbk" }
        : SINGLE_BYTE[ir]
          ? { kind: "single", label: SINGLE_BYTE[ir] }
          : null;
  return { g0: "ascii", g1 };
}

/** TextDecoder("latin1") is windows-1252: ISO 8859-1 plus printable characters in 0x80-0x9F. */
const latin1: TextDecodeFn = (bytes) => new TextDecoder("latin1").decode(bytes);

function decoderOf(label: string): TextDecodeFn {
  const decoder = new TextDecoder(label);
  return (bytes) => decoder.decode(bytes);
}

/**
 * A decoder for values written in the given Specific Character Set. Unknown terms fall back to
 * Latin-1: every byte maps to a character and nothing throws.
 */
export function decoderFor(specificCharacterSet: string | undefined): TextDecodeFn {
  const terms = (specificCharacterSet ?? "").split("\\").map(normalise);
  const first = terms[0] ?? "";
  const whole = WHOLE_VALUE[first];
  if (whole) return decoderOf(whole);
  const extended = terms.length > 1 || first.startsWith("ISO 2022 ") || irNumber(first) === "13";
  if (extended) {
    const initial = initialState(first);
    return (bytes) => decodeIso2022(bytes, initial);
  }
  const label = SINGLE_BYTE[irNumber(first)];
  return label && label !== "iso-8859-1" ? decoderOf(label) : latin1;
}
