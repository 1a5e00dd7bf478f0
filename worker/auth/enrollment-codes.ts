// Enrollment codes: 100 random bits written as 20 Crockford base-32 characters in groups of five
// (XXXXX-XXXXX-XXXXX-XXXXX), easy to read aloud or type from a message. Typing slips are forgiven:
// case, spaces and dashes are ignored, O reads as 0 and I or L as 1. Only the SHA-256 of the
// normalised code is stored.
import { sha256Hex } from "./digest";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const LENGTH = 20;

export function newEnrollmentCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(LENGTH));
  // 256 is a multiple of 32: taking the low five bits of each byte is uniform.
  const chars = Array.from(bytes, (b) => ALPHABET[b & 31] ?? "0").join("");
  return chars.match(/.{5}/g)?.join("-") ?? chars;
}

export function normaliseCode(input: string): string {
  return input
    .toUpperCase()
    .replace(/[^0-9A-Z]/g, "")
    .replace(/O/g, "0")
    .replace(/[IL]/g, "1");
}

export const enrollmentCodeHash = (code: string) => sha256Hex(normaliseCode(code));
