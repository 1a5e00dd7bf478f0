// Bounded concurrency for I/O-bound work (reading R2, sending batches): overlapping a few
// requests hides each one's latency, while the bound keeps memory and the upstream's load flat.

/**
 * Runs `task` for every item with at most `limit` in flight; results keep the items' order.
 * The first rejection is thrown once every started task has settled (none is left running).
 */
export async function mapPool<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (!failure && next < items.length) {
      const index = next++;
      try {
        results[index] = await task(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  if (failure) throw failure.error;
  return results;
}
