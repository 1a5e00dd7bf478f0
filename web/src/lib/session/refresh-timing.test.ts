import { describe, expect, it } from "vitest";
import {
  isFresh,
  isUnexpired,
  REFRESH_MARGIN_MS,
  refreshDueIn,
  refreshExpired,
} from "./refresh-timing";

describe("refresh timing", () => {
  const session = { localExpiresAt: 1_000_000 };

  it("a token is fresh while more than the 60 s margin is left", () => {
    expect(REFRESH_MARGIN_MS).toBe(60_000);
    expect(isFresh(session, 1_000_000 - 60_001)).toBe(true);
    expect(isFresh(session, 1_000_000 - 60_000)).toBe(false);
  });

  it("a token not fresh may still be unexpired, until its last millisecond", () => {
    expect(isUnexpired(session, 999_999)).toBe(true);
    expect(isUnexpired(session, 1_000_000)).toBe(false);
  });

  it("a page refreshes ahead of need once the margin is reached, never with a negative delay", () => {
    expect(refreshDueIn(session, 0)).toBe(940_000);
    expect(refreshDueIn(session, 990_000)).toBe(0);
  });

  it("a refresh token runs out at its refreshExpiresAt; none means it never does here", () => {
    expect(refreshExpired({ refreshExpiresAt: 10 }, 9)).toBe(false);
    expect(refreshExpired({ refreshExpiresAt: 10 }, 10)).toBe(true);
    expect(refreshExpired({ refreshExpiresAt: null }, 10)).toBe(false);
  });
});
