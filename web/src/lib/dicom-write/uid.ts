// Fresh DICOM UIDs for the objects the PWA writes (SR, photos), made on the device and offline.
// Not for checking UIDs read from other files: those are copied as they are, valid or not.
//
// Why "2.25.<UUID as one decimal number>" (DICOM PS3.5 B.2): it needs no registered
// organisation root, it works in a page, a Web Worker and Node alike, and 122 random bits make a
// collision negligible. crypto.getRandomValues is used rather than crypto.randomUUID because the
// latter exists only in secure contexts. The result is at most 5 + 39 = 44 characters (limit 64)
// and, as a decimal integer, its last component never starts with a zero.

const UID_MAX_LENGTH = 64;
const COMPONENT = /^(0|[1-9][0-9]*)$/;

/** A new UID "2.25.N", N being a random (version 4, RFC 9562) UUID read as a 128-bit integer. */
export function newUid(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40; // version 4
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80; // RFC variant
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return `2.25.${value.toString(10)}`;
}

/** True for a UID DICOM accepts: digits and dots, at most 64 characters, no leading zeros. */
export function isValidUid(uid: string): boolean {
  return (
    uid.length > 0 && uid.length <= UID_MAX_LENGTH && uid.split(".").every((c) => COMPONENT.test(c))
  );
}
