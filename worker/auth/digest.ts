// Secrets the server hands out once and keeps only as a SHA-256: refresh tokens, enrollment codes.
// They are long random values, so a plain hash (no salt, no PBKDF2) is enough to make a stolen
// database useless for signing in.
import { toHex } from "../hex";

export async function sha256Hex(text: string): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

/** `bytes` random bytes as base64url (no padding). */
export function randomToken(bytes: number): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...raw))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}
