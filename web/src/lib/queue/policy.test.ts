import { describe, expect, it } from "vitest";
import { StoredSession, toStored } from "../session/stored";
import { encryptQueuedFiles } from "./policy";
import { bytesOf, fileOf, kit } from "./test-kit";

const user = { id: "u", name: "N", email: "n@x.example", role: "uploader", clinicId: "c" } as const;
const signIn = (clinicPolicy?: { encryptQueuedFiles: boolean }) => ({
  accessToken: "a.b.c",
  expiresAt: 2_000_000_000_000,
  refreshToken: "r",
  refreshExpiresAt: 2_000_000_000_000,
  deviceId: "0123456789abcdef0123456789abcdef",
  user,
  ...(clinicPolicy ? { clinicPolicy } : {}),
});

describe("the clinic's encryption-at-rest policy", () => {
  it("follows the policy that came with the sign-in, and is off without one", () => {
    const on = toStored(signIn({ encryptQueuedFiles: true }), 0);
    expect(encryptQueuedFiles(on.clinicPolicy)).toBe(true);
    expect(
      encryptQueuedFiles(toStored(signIn({ encryptQueuedFiles: false }), 0).clinicPolicy),
    ).toBe(false);
    // An older server sent no policy; an older stored sign-in has none: not encrypted.
    expect(encryptQueuedFiles(toStored(signIn(), 0).clinicPolicy)).toBe(false);
    const { clinicPolicy: _dropped, ...old } = on;
    expect(encryptQueuedFiles(StoredSession.parse(old).clinicPolicy)).toBe(false);
    expect(encryptQueuedFiles(null)).toBe(false);
  });

  it("a study queued under the policy is stored as ciphertext, and still arrives intact", async () => {
    const k = kit();
    const file = fileOf("a.dcm", 300);
    const job = await k.enqueue([file], {
      encrypt: encryptQueuedFiles({ encryptQueuedFiles: true }),
    });
    expect(job.encrypted).toBe(true);
    const stored = await bytesOf((await k.store.blob(job.id, 0))!);
    const plain = await bytesOf(file);
    expect(stored.length).toBeGreaterThan(plain.length);
    expect(Buffer.from(stored).includes(Buffer.from(plain.subarray(0, 64)))).toBe(false);
    expect(await k.manager.kick()).toBe("idle");
    expect(k.server.received(0)).toEqual(plain);
  });
});
