import { describe, expect, it } from "vitest";
import { ApiError } from "./api";
import { RETRY_DELAYS_MS, shouldRetry } from "./retry-policy";

describe("shouldRetry", () => {
  it("network failures, timeouts, rate limits and server errors are retried with growing delays", () => {
    for (const status of [0, 408, 429, 500, 503]) {
      const error = new ApiError("x", "x", status);
      expect(RETRY_DELAYS_MS.map((_, attempt) => shouldRetry(error, attempt))).toEqual([
        ...RETRY_DELAYS_MS,
      ]);
    }
  });

  it("gives up once the delays run out", () => {
    expect(shouldRetry(new ApiError("x", "x", 503), RETRY_DELAYS_MS.length)).toBeNull();
  });

  it("a refusal (4xx) or an unknown error is not retried", () => {
    expect(shouldRetry(new ApiError("chunk_checksum_mismatch", "x", 400), 0)).toBeNull();
    expect(shouldRetry(new ApiError("unauthorized", "x", 401), 0)).toBeNull();
    expect(shouldRetry(new Error("bug"), 0)).toBeNull();
  });
});
