// Text decoding for DICOM string values by Specific Character Set (0008,0005).
// This spine handles the default repertoire, ISO_IR 100 (Latin-1) and ISO_IR 192 (UTF-8); more
// character sets (ISO 2022 code extensions, GB18030, ...) come with the header Web Worker.

export type TextDecodeFn = (bytes: Uint8Array) => string;

const ENCODINGS: Readonly<Record<string, string>> = {
  "": "latin1",
  "ISO_IR 6": "latin1",
  "ISO 2022 IR 6": "latin1",
  "ISO_IR 100": "latin1",
  "ISO 2022 IR 100": "latin1",
  "ISO_IR 192": "utf-8",
};

/**
 * A decoder for values written in the given Specific Character Set. Unknown terms fall back to
 * Latin-1 (every byte maps to a character, nothing throws). "latin1" in TextDecoder is
 * windows-1252, a superset of ISO 8859-1 for the printable range.
 */
export function decoderFor(specificCharacterSet: string | undefined): TextDecodeFn {
  const first = (specificCharacterSet ?? "").split("\\")[0] ?? "";
  // Some writers spell the defined term with a hyphen ("ISO-IR 100").
  const term = first
    .trim()
    .toUpperCase()
    .replace(/^ISO-IR/, "ISO_IR");
  const decoder = new TextDecoder(ENCODINGS[term] ?? "latin1");
  return (bytes) => decoder.decode(bytes);
}
