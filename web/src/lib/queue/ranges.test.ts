import { describe, expect, it } from "vitest";
import { addRange, missingRanges, rangeBytes } from "./ranges";

describe("byte ranges", () => {
  it("acknowledged ranges are kept sorted and touching ones merge", () => {
    let ranges = addRange([], [8, 16]);
    ranges = addRange(ranges, [0, 8]);
    ranges = addRange(ranges, [24, 32]);
    expect(ranges).toEqual([
      [0, 16],
      [24, 32],
    ]);
    expect(rangeBytes(ranges)).toBe(24);
  });

  it("what is missing is the complement within the file", () => {
    expect(missingRanges(40, [[8, 16]])).toEqual([
      [0, 8],
      [16, 40],
    ]);
    expect(missingRanges(16, [[0, 16]])).toEqual([]);
  });

  it("an empty file is missing until its empty chunk was acknowledged", () => {
    expect(missingRanges(0, [])).toEqual([[0, 0]]);
    expect(missingRanges(0, addRange([], [0, 0]))).toEqual([]);
  });
});
