// The dashboard's figures in the shape the screen draws: one bar per day of the window (days
// without uploads too), and the headline numbers in words. Pure.
import type { Metrics } from "../../session/contract";
import type { Bar } from "./BarChart.svelte";

const DAY = 86_400_000;
const SHORT_DAY = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  timeZone: "UTC",
});

/** Every UTC day from `from` to `to` (the worker counts days in UTC), with that day's uploads. */
export function dailyBars(metrics: Metrics): Bar[] {
  const byDay = new Map(metrics.daily.map((d) => [d.day, d]));
  const bars: Bar[] = [];
  const start = Math.floor(metrics.from / DAY) * DAY;
  for (let t = start; t <= metrics.to; t += DAY) {
    const day = new Date(t).toISOString().slice(0, 10);
    const d = byDay.get(day);
    const sessions = d?.sessions ?? 0;
    const delivered = d?.delivered ?? 0;
    const failed = d?.failed ?? 0;
    const label = SHORT_DAY.format(t);
    bars.push({
      label,
      title: `${label}: ${sessions} ${sessions === 1 ? "upload" : "uploads"}, ${delivered} delivered, ${failed} failed`,
      segments: [
        { value: delivered, tone: "ok" },
        { value: failed, tone: "bad" },
        { value: Math.max(0, sessions - delivered - failed), tone: "muted" },
      ],
    });
  }
  return bars;
}

/** Every UTC day of the window, with the studies queued offline: delivered, and not (yet). */
export function offlineBars(metrics: Metrics): Bar[] {
  const byDay = new Map(metrics.offlineDaily.map((d) => [d.day, d]));
  const bars: Bar[] = [];
  const start = Math.floor(metrics.from / DAY) * DAY;
  for (let t = start; t <= metrics.to; t += DAY) {
    const d = byDay.get(new Date(t).toISOString().slice(0, 10));
    const queued = d?.queued ?? 0;
    const delivered = d?.delivered ?? 0;
    const label = SHORT_DAY.format(t);
    bars.push({
      label,
      title: `${label}: ${queued} queued offline, ${delivered} delivered`,
      segments: [
        { value: delivered, tone: "ok" },
        { value: Math.max(0, queued - delivered), tone: "bad" },
      ],
    });
  }
  return bars;
}

export function totals(metrics: Metrics) {
  return metrics.daily.reduce(
    (sum, d) => ({
      sessions: sum.sessions + d.sessions,
      delivered: sum.delivered + d.delivered,
      failed: sum.failed + d.failed,
      bytes: sum.bytes + d.bytes,
    }),
    { sessions: 0, delivered: 0, failed: 0, bytes: 0 },
  );
}
