import { describe, expect, it } from "vitest";
import { classifyStoreStatus, isTransientStatus } from "./store-status";

describe("C-STORE status classes (PS3.7 Annex C, PS3.4 B.2.3)", () => {
  it("0000 is stored", () => {
    expect(classifyStoreStatus(0x0000)).toMatchObject({ status: "stored", code: "0000" });
  });

  for (const [value, words] of [
    [0xb000, /changed some details/],
    [0xb007, /does not fully match its declared kind/],
    [0xb006, /discarded some details/],
    [0x0001, /warning/],
    [0xb123, /warning/],
  ] as const) {
    it(`${value.toString(16).toUpperCase().padStart(4, "0")} is a warning: stored, with a reason`, () => {
      const verdict = classifyStoreStatus(value);
      expect(verdict.status).toBe("warning");
      expect(verdict.reason).toMatch(/^Stored/);
      expect(verdict.reason).toMatch(words);
    });
  }

  for (const [value, code, words] of [
    [0xa700, "A700", /out of storage space or memory/],
    [0xa7ff, "A7FF", /out of resources/],
    [0xa900, "A900", /does not match its declared kind/],
    [0xa9ab, "A9AB", /does not match its declared kind/],
    [0xc000, "C000", /could not understand/],
    [0xcfff, "CFFF", /could not understand/],
    [0x0122, "0122", /does not accept this kind of image/],
    [0x0124, "0124", /not authorised/],
    [0x0211, "0211", /unrecognized operation/],
    [0x0110, "0110", /processing failure/],
    [0xfe00, "FE00", /cancelled/],
    [0xff00, "FF00", /still working/],
    [0x0999, "0999", /reason code 0999/],
  ] as const) {
    it(`${code} is a failure with a plain reason`, () => {
      const verdict = classifyStoreStatus(value);
      expect(verdict).toMatchObject({ status: "failed", code });
      expect(verdict.reason).toMatch(words);
    });
  }

  it("only resource shortages and cancellations are worth retrying unchanged", () => {
    expect([0xa700, 0xa701, 0x0213, 0xfe00].every(isTransientStatus)).toBe(true);
    expect([0x0122, 0xa900, 0xc000, 0x0124, 0x0000].some(isTransientStatus)).toBe(false);
  });
});
