// Decodes DICOM text written with ISO 2022 code extensions (PS3.5 6.1.2.5): escape sequences
// switch the G0 (bytes < 0x80) and G1 (bytes >= 0x80) character sets inside one value. Bytes are
// gathered into runs per legacy encoding and each run is decoded by the platform's TextDecoder.
// Not a general ISO 2022 decoder: only the designations DICOM defines.

/** What G0 holds: one-byte ASCII-like sets or the two-byte Japanese sets (7-bit pairs). */
export type G0Set = "ascii" | "jisx0208" | "jisx0212";
/** What G1 holds: a single-byte ISO 8859 part (by WHATWG label) or a two-byte East Asian set. */
export type G1Set =
  | { kind: "single"; label: string }
  | { kind: "katakana" }
  | { kind: "double"; label: "euc-kr" | "gbk" }
  | null;

export interface Iso2022State {
  g0: G0Set;
  g1: G1Set;
}

const ESC = 0x1b;
const single = (label: string): G1Set => ({ kind: "single", label });

/** Escape sequences (the bytes after ESC) DICOM uses, and what each designates. */
const DESIGNATIONS: ReadonlyMap<string, Partial<Iso2022State>> = new Map<
  string,
  Partial<Iso2022State>
>([
  ["(B", { g0: "ascii" }],
  ["(J", { g0: "ascii" }], // JIS X 0201 Romaji: ASCII but for yen and overline
  ["$B", { g0: "jisx0208" }],
  ["$@", { g0: "jisx0208" }],
  ["$(D", { g0: "jisx0212" }],
  [")I", { g1: { kind: "katakana" } }],
  ["-A", { g1: single("iso-8859-1") }],
  ["-B", { g1: single("iso-8859-2") }],
  ["-C", { g1: single("iso-8859-3") }],
  ["-D", { g1: single("iso-8859-4") }],
  ["-F", { g1: single("iso-8859-7") }],
  ["-G", { g1: single("iso-8859-6") }],
  ["-H", { g1: single("iso-8859-8") }],
  ["-L", { g1: single("iso-8859-5") }],
  ["-M", { g1: single("iso-8859-9") }],
  ["-T", { g1: single("windows-874") }],
  ["-b", { g1: single("iso-8859-15") }],
  ["$)C", { g1: { kind: "double", label: "euc-kr" } }],
  ["$)A", { g1: { kind: "double", label: "gbk" } }],
]);

/** Delimiters before which a conformant writer returns to the initial sets; we reset after them. */
const DELIMITERS = new Set([0x5e, 0x3d, 0x5c, 0x0d, 0x0a, 0x09, 0x0c]); // ^ = \ CR LF TAB FF

class Runs {
  private readonly parts: string[] = [];
  private label = "";
  private bytes: number[] = [];

  add(label: string, ...bytes: number[]): void {
    if (label !== this.label) this.flush();
    this.label = label;
    this.bytes.push(...bytes);
  }

  flush(): void {
    if (this.bytes.length > 0) {
      this.parts.push(new TextDecoder(this.label).decode(Uint8Array.from(this.bytes)));
    }
    this.bytes = [];
  }

  text(): string {
    this.flush();
    return this.parts.join("");
  }
}

/** Reads one escape sequence at `at` (ESC, intermediates 0x20-0x2F, final byte); its length. */
function escapeAt(bytes: Uint8Array, at: number): { key: string; length: number } {
  let end = at + 1;
  while (end < bytes.length && bytes[end]! >= 0x20 && bytes[end]! <= 0x2f) end++;
  const length = Math.min(end + 1, bytes.length) - at;
  return { key: String.fromCharCode(...bytes.subarray(at + 1, at + length)), length };
}

export function decodeIso2022(bytes: Uint8Array, initial: Iso2022State): string {
  const runs = new Runs();
  let state: Iso2022State = { ...initial };
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b === ESC) {
      const { key, length } = escapeAt(bytes, i);
      state = { ...state, ...DESIGNATIONS.get(key) };
      i += length;
      continue;
    }
    if (b < 0x80) {
      const next = bytes[i + 1];
      if (state.g0 !== "ascii" && b >= 0x21 && b <= 0x7e && next !== undefined && next >= 0x21) {
        // A 7-bit pair of JIS X 0208 / 0212 is the same character as its EUC-JP 8-bit form.
        if (state.g0 === "jisx0212") runs.add("euc-jp", 0x8f, b | 0x80, next | 0x80);
        else runs.add("euc-jp", b | 0x80, next | 0x80);
        i += 2;
        continue;
      }
      runs.add("latin1", b);
      // Non-conformant writers omit the return to the initial sets: reset at each delimiter.
      if (DELIMITERS.has(b) || b < 0x20) state = { ...initial };
      i += 1;
      continue;
    }
    i += addHigh(runs, state.g1, bytes, i);
  }
  return runs.text();
}

/** Adds the character at a byte >= 0x80 under the current G1 set; returns the bytes consumed. */
function addHigh(runs: Runs, g1: G1Set, bytes: Uint8Array, at: number): number {
  const b = bytes[at]!;
  if (g1 === null) {
    runs.add("latin1", b); // nothing designated: the most forgiving single-byte reading
    return 1;
  }
  if (g1.kind === "single") {
    runs.add(g1.label, b);
    return 1;
  }
  if (g1.kind === "katakana") {
    runs.add("euc-jp", 0x8e, b); // half-width katakana, as EUC-JP writes it
    return 1;
  }
  const next = bytes[at + 1];
  if (next === undefined || next < 0x80) {
    runs.add("latin1", b);
    return 1;
  }
  runs.add(g1.label, b, next);
  return 2;
}
