// Byte helpers shared by the PDU and DIMSE codecs: big-endian fields for the upper layer (PS3.8),
// little-endian ones for the command set (PS3.7), and the space/NUL padding DICOM uses.
// Nothing here knows about any PDU or message.

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function u16be(value: number): Uint8Array {
  return new Uint8Array([(value >>> 8) & 0xff, value & 0xff]);
}

export function u32be(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value >>> 0, false);
  return out;
}

export function readU16be(b: Uint8Array, at: number): number {
  return ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0);
}

export function readU32be(b: Uint8Array, at: number): number {
  return (
    (((b[at] ?? 0) << 24) |
      ((b[at + 1] ?? 0) << 16) |
      ((b[at + 2] ?? 0) << 8) |
      (b[at + 3] ?? 0)) >>>
    0
  );
}

export function readU16le(b: Uint8Array, at: number): number {
  return (b[at] ?? 0) | ((b[at + 1] ?? 0) << 8);
}

export function readU32le(b: Uint8Array, at: number): number {
  return (
    ((b[at] ?? 0) |
      ((b[at + 1] ?? 0) << 8) |
      ((b[at + 2] ?? 0) << 16) |
      ((b[at + 3] ?? 0) << 24)) >>>
    0
  );
}

export function readU16(b: Uint8Array, at: number, littleEndian: boolean): number {
  return littleEndian ? readU16le(b, at) : readU16be(b, at);
}

export function readU32(b: Uint8Array, at: number, littleEndian: boolean): number {
  return littleEndian ? readU32le(b, at) : readU32be(b, at);
}

/** ASCII bytes of a string that is ASCII by construction (UIDs, AE titles). */
export function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0x7f;
  return out;
}

/** Text of ASCII bytes without the trailing NUL and space padding DICOM adds. */
export function asciiText(b: Uint8Array): string {
  let end = b.length;
  while (end > 0 && (b[end - 1] === 0 || b[end - 1] === 0x20)) end--;
  let text = "";
  for (let i = 0; i < end; i++) text += String.fromCharCode(b[i] ?? 0);
  return text;
}

/** An AE title field: exactly 16 bytes, space padded (PS3.8 9.3.2). */
export function aeTitleField(title: string): Uint8Array {
  const out = new Uint8Array(16).fill(0x20);
  out.set(ascii(title.slice(0, 16)));
  return out;
}

/** Leading and trailing spaces of an AE title are not significant (PS3.5 6.2). */
export function aeTitleText(field: Uint8Array): string {
  return asciiText(field).trim();
}

/** A valid AE title: 1 to 16 characters of printable ASCII, not only spaces, no backslash. */
export function isValidAeTitle(title: string): boolean {
  return /^[\x20-\x5b\x5d-\x7e]{1,16}$/.test(title) && title.trim().length > 0;
}
