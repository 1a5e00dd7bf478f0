// Half-open byte ranges [start, end): merging acknowledged ranges, and what is still missing. Pure.
import type { ByteRange } from "../uploader/contract";

/** `ranges` plus `added`, sorted and merged (touching ranges join). An empty range is kept once. */
export function addRange(ranges: readonly ByteRange[], added: ByteRange): ByteRange[] {
  const all = [...ranges, added].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: ByteRange[] = [];
  for (const [start, end] of all) {
    const last = merged.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

/** The parts of [0, size) not covered by `received` (which must be sorted and merged). */
export function missingRanges(size: number, received: readonly ByteRange[]): ByteRange[] {
  if (size === 0) return received.length === 0 ? [[0, 0]] : [];
  const missing: ByteRange[] = [];
  let at = 0;
  for (const [start, end] of received) {
    if (start > at) missing.push([at, Math.min(start, size)]);
    at = Math.max(at, end);
  }
  if (at < size) missing.push([at, size]);
  return missing;
}

export function rangeBytes(ranges: readonly ByteRange[]): number {
  return ranges.reduce((sum, [start, end]) => sum + end - start, 0);
}
