// Test-only: writes a RAR 5 archive with stored (uncompressed) members, so the gauntlet can give the
// intake member names no real RAR tool would write (`../../etc/passwd`). Format: RAR 5.0
// "Archive format" technote (rarlab.com/technote.htm): each block is CRC32, size, type, flags.
// Runtime-agnostic (no Node APIs): it runs in Node and inside workerd alike.
import { Crc32 } from "../../web/src/lib/intake/crc32";

function crc32(bytes: Uint8Array): number {
  const crc = new Crc32();
  crc.update(bytes);
  return crc.digest();
}

const SIGNATURE = [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07, 0x01, 0x00]; // "Rar!" 1A 07 01 00

/** RAR's variable-length integer: 7 bits a byte, low bits first, high bit = more follow. */
function vint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  do {
    let byte = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) byte |= 0x80;
    out.push(byte);
  } while (v > 0);
  return out;
}

const u32 = (value: number) => [
  value & 0xff,
  (value >>> 8) & 0xff,
  (value >>> 16) & 0xff,
  value >>> 24,
];

/** One block: CRC32 over (size, body), then the size of body as a vint. */
function block(body: number[]): number[] {
  const sized = [...vint(body.length), ...body];
  return [...u32(crc32(Uint8Array.from(sized))), ...sized];
}

export interface RarMember {
  name: string;
  bytes: Uint8Array;
}

/** A RAR 5 archive holding `members` stored as they are (method 0), written by "Unix". */
export function rar5Stored(members: readonly RarMember[]): Uint8Array<ArrayBuffer> {
  const chunks: Uint8Array[] = [
    Uint8Array.from(SIGNATURE),
    Uint8Array.from(block([...vint(1), ...vint(0), ...vint(0)])), // main archive header
  ];
  for (const member of members) {
    const name = Array.from(new TextEncoder().encode(member.name));
    const header = block([
      ...vint(2), // file header
      ...vint(0x0002), // a data area follows
      ...vint(member.bytes.length),
      ...vint(0x0004), // file flags: data CRC32 present
      ...vint(member.bytes.length), // unpacked size
      ...vint(0o100644), // attributes (Unix mode)
      ...u32(crc32(member.bytes)),
      ...vint(0), // compression: version 0, method 0 (store)
      ...vint(1), // host OS: Unix
      ...vint(name.length),
      ...name,
    ]);
    chunks.push(Uint8Array.from(header), member.bytes);
  }
  chunks.push(Uint8Array.from(block([...vint(5), ...vint(0), ...vint(0)]))); // end of archive
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
