// Password hashing: PBKDF2-SHA256 via WebCrypto with a per-user salt. workerd refuses more than
// 100,000 iterations ("Pbkdf2 failed: iteration counts above 100000 are not supported"), so we
// use exactly that; the count is stored per user so it can be raised where the runtime allows.
import { fromHex, toHex } from "../hex";

export const PBKDF2_ITERATIONS = 100_000;

export async function hashPassword(
  password: string,
  saltHex: string,
  iterations: number,
): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(password),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt: fromHex(saltHex), iterations },
    key,
    256,
  );
  return toHex(bits);
}

/** Constant-time comparison of two hex digests of equal length. */
export function sameDigest(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
