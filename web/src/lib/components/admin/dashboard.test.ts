import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { Metrics } from "../../session/contract";
import { reasonWords } from "./admin-words";
import { offlineBars } from "./dashboard";

const DAY = 86_400_000;
// The Bar type lives in a .svelte module the linter's type service cannot read: parse instead.
const Bars = z.array(
  z.object({
    label: z.string(),
    title: z.string(),
    segments: z.array(z.object({ value: z.number(), tone: z.string() })),
  }),
);

function metrics(offlineDaily: Metrics["offlineDaily"]): Metrics {
  const from = Date.parse("2026-03-01T10:00:00Z");
  return {
    from,
    to: from + 2 * DAY,
    sessionsFinished: 0,
    uploadSuccessRate: null,
    meanRetriesPerStudy: null,
    offlineQueue: { queued: 3, delivered: 2, completionRate: 2 / 3 },
    clientRetries: { studies: 3, meanPerStudy: 1 },
    offlineDaily,
    timeToFirstUpload: { devices: 0, medianMs: null },
    volume: [],
    daily: [],
    needsAttention: [],
  };
}

describe("the dashboard's offline queue chart", () => {
  it("has one bar per day of the window, delivered and not delivered stacked", () => {
    const bars = Bars.parse(offlineBars(metrics([{ day: "2026-03-02", queued: 3, delivered: 2 }])));
    expect(bars.map((b) => b.label)).toEqual(["1 Mar", "2 Mar", "3 Mar"]);
    expect(bars[0]?.segments.map((s) => s.value)).toEqual([0, 0]);
    expect(bars[1]?.segments).toEqual([
      { value: 2, tone: "ok" },
      { value: 1, tone: "bad" },
    ]);
    expect(bars[1]?.title).toBe("2 Mar: 3 queued offline, 2 delivered");
  });
});

describe("reasonWords", () => {
  it("puts known codes in words, keeping the code for support", () => {
    expect(reasonWords("A700")).toBe("PACS out of storage space (A700)");
    expect(reasonWords("destination_misconfigured")).toBe(
      "PACS settings need fixing (destination_misconfigured)",
    );
    expect(reasonWords("other")).toBe("other");
  });

  it("reads an unknown DICOM status or code as itself, never as nothing", () => {
    expect(reasonWords("a7ff")).toBe("PACS status A7FF");
    expect(reasonWords("some_new_code")).toBe("some new code");
  });
});
