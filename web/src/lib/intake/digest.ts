// SHA-256 of an entry's bytes, read in pieces (never the whole file at once): tells an exact copy
// from a different file that carries the same SOP Instance UID.
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { readChunks, type IntakeEntry } from "./entry";

export async function digestEntry(entry: IntakeEntry): Promise<string> {
  const hash = sha256.create();
  for await (const chunk of readChunks(entry)) hash.update(chunk);
  return bytesToHex(hash.digest());
}
