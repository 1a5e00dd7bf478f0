import { describe, expect, it } from "vitest";
import { isValidUid, newUid } from "./uid";

describe("newUid", () => {
  it("makes valid 2.25 UIDs of at most 64 characters", () => {
    for (let i = 0; i < 200; i++) {
      const uid = newUid();
      expect(uid).toMatch(/^2\.25\.[1-9][0-9]*$/);
      expect(uid.length).toBeLessThanOrEqual(64);
      expect(isValidUid(uid)).toBe(true);
    }
  });

  it("never repeats itself", () => {
    const uids = Array.from({ length: 1000 }, newUid);
    expect(new Set(uids).size).toBe(1000);
  });
});

describe("isValidUid", () => {
  it("accepts DICOM UIDs and refuses leading zeros, empty parts, letters and length", () => {
    expect(isValidUid("1.2.840.10008.5.1.4.1.1.7")).toBe(true);
    expect(isValidUid("1.2.0.3")).toBe(true);
    expect(isValidUid("1.02.3")).toBe(false);
    expect(isValidUid("1..3")).toBe(false);
    expect(isValidUid("1.2.3a")).toBe(false);
    expect(isValidUid("")).toBe(false);
    expect(isValidUid(`1.${"2".repeat(63)}`)).toBe(false);
  });
});
