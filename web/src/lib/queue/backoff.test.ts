import { describe, expect, it } from "vitest";
import { REQUEST_BACKOFF, RUN_BACKOFF, backoffMs } from "./backoff";

describe("backoff with jitter", () => {
  it("doubles from the base up to the cap", () => {
    const ceilings = [0, 1, 2, 3, 10].map((attempt) => backoffMs(attempt, 1, RUN_BACKOFF));
    expect(ceilings).toEqual([2_000, 4_000, 8_000, 16_000, 300_000]);
  });

  it("waits between half and all of the ceiling, so devices do not retry in lockstep", () => {
    expect(backoffMs(2, 0, REQUEST_BACKOFF)).toBe(2_000);
    expect(backoffMs(2, 0.5, REQUEST_BACKOFF)).toBe(3_000);
    expect(backoffMs(2, 0.999, REQUEST_BACKOFF)).toBeLessThanOrEqual(4_000);
  });
});
