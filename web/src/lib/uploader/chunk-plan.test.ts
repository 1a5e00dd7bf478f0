import { describe, expect, it } from "vitest";
import { chooseChunkSize, planFile, planRanges } from "./chunk-plan";

describe("chunk plan", () => {
  it("a file is cut into consecutive chunks of the chosen size, the last one shorter", () => {
    expect(planFile(3, 20, 8)).toEqual([
      { fileIndex: 3, offset: 0, end: 8 },
      { fileIndex: 3, offset: 8, end: 16 },
      { fileIndex: 3, offset: 16, end: 20 },
    ]);
  });

  it("a 0-byte file becomes one empty chunk at offset 0", () => {
    expect(planFile(0, 0, 8)).toEqual([{ fileIndex: 0, offset: 0, end: 0 }]);
  });

  it("missing ranges are cut at the chunk size, in offset order", () => {
    expect(
      planRanges(
        1,
        [
          [30, 34],
          [8, 20],
        ],
        8,
      ),
    ).toEqual([
      { fileIndex: 1, offset: 8, end: 16 },
      { fileIndex: 1, offset: 16, end: 20 },
      { fileIndex: 1, offset: 30, end: 34 },
    ]);
  });

  it("the chunk size is the server's preferred size, kept within its bounds", () => {
    expect(chooseChunkSize({ min: 5, max: 10, preferred: 8 })).toBe(8);
    expect(chooseChunkSize({ min: 5, max: 10, preferred: 50 })).toBe(10);
    expect(chooseChunkSize({ min: 5, max: 10, preferred: 1 })).toBe(5);
  });
});
