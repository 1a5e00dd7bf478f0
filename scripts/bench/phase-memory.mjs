// Issue 3, memory flat in study size: workerd's peak RSS (VmHWM) over a whole session (chunk PUTs,
// then complete, which streams every file through SHA-256 and reads its header), for a 10 MB
// study and for the upload study, each in a fresh `wrangler dev`. The same runtime also hosts the
// local R2 simulator, so the R2 reference worker does the same (PUT every chunk, then stream every
// object through SHA-256) in fresh stacks too: its growth is what local R2 itself costs.
import { startStack } from "../lib/dev-stack.mjs";
import { MB, MiB, NO_PACS, fmtMB, mbps, round } from "./context.mjs";
import { json, keepAliveAgent } from "./http.mjs";
import { startReference } from "./reference-stack.mjs";
import { complete, getStatus, planStudy, sendChunks, uploadStudy } from "./relay-client.mjs";
import {
  describeIsolate,
  isolateFigures,
  isolateGrowthMB,
  watchIsolateHeap,
} from "./isolate-heap.mjs";
import { snapshot, waitForWorkerd } from "./workerd-memory.mjs";

export const TARGET_GROWTH_MB = 64;
const CHUNK = 8 * MiB; // the relay's preferred chunk size

/** The relay: upload, one status, complete. */
async function relaySession(ctx, stack, study, pids) {
  const agent = keepAliveAgent(ctx.parallel);
  const upload = await uploadStudy(stack, study, {
    chunkSize: CHUNK,
    parallel: ctx.parallel,
    agent,
  });
  agent.destroy();
  const uploaded = snapshot(pids);
  // How long one status answer takes once every chunk is in (it lists every file's ranges).
  let started = performance.now();
  await getStatus(stack.url, upload.uploadToken, upload.sessionId);
  const statusMs = performance.now() - started;
  started = performance.now();
  const status = await complete(stack.url, upload.uploadToken, upload.sessionId);
  const verifyMs = performance.now() - started;
  if (status.counts.accepted !== study.files.length)
    throw new Error(
      `the relay accepted ${status.counts.accepted} of ${study.files.length} files (${status.state})`,
    );
  return { uploadMs: upload.ms, uploaded, statusMs, verifyMs };
}

/** The reference: the same PUTs straight to R2, then every object read back through SHA-256. */
async function referenceSession(ctx, stack, study, pids) {
  const agent = keepAliveAgent(ctx.parallel);
  let started = performance.now();
  await sendChunks(study, planStudy(study, CHUNK), {
    parallel: ctx.parallel,
    agent,
    urlOf: (job) => `${stack.url}/bench/${job.file}/${job.offset}`,
  });
  const uploadMs = performance.now() - started;
  agent.destroy();
  const uploaded = snapshot(pids);
  started = performance.now();
  await json(`${stack.url}/digest`, { method: "POST" });
  return { uploadMs, uploaded, verifyMs: performance.now() - started };
}

/** One session in a fresh stack: memory when idle, after the PUTs, after reading it all back. */
async function measure(ctx, side, size, study) {
  const stack =
    side === "relay"
      ? await ctx.start(`relay-memory-${size}`, (dir) =>
          startStack({ stateDir: dir, orthanc: NO_PACS }),
        )
      : await ctx.start(`reference-memory-${size}`, (dir) => startReference({ stateDir: dir }));
  try {
    const pids = await waitForWorkerd(new URL(stack.url).port);
    const idle = snapshot(pids);
    const heap = await watchIsolateHeap(stack.inspectorPort);
    const session = side === "relay" ? relaySession : referenceSession;
    const run = await session(ctx, stack, study, pids);
    const done = snapshot(pids);
    const isolate = await heap.stop();
    const row = {
      side,
      study: size,
      instances: study.files.length,
      bytes: study.bytes,
      idleRssMB: round(idle.runtime.rss / MB, 1),
      peakAfterUploadMB: round(run.uploaded.runtime.hwm / MB, 1),
      peakMB: round(done.runtime.hwm / MB, 1),
      proxyPeakMB: round(done.proxy.hwm / MB, 1),
      uploadMBps: round(mbps(study.bytes, run.uploadMs), 1),
      verifyMBps: round(mbps(study.bytes, run.verifyMs), 1),
      statusMs: run.statusMs === undefined ? undefined : Math.round(run.statusMs),
      isolate: isolateFigures(isolate),
    };
    ctx.log(
      `  ${side}, ${size} study (${study.files.length} files, ${fmtMB(study.bytes)} MB): workerd runtime idle ${row.idleRssMB} MB, peak after PUTs ${row.peakAfterUploadMB} MB, after reading back ${row.peakMB} MB (proxy peak ${row.proxyPeakMB} MB); worker isolate heap peak ${describeIsolate(row.isolate)}`,
    );
    return row;
  } finally {
    await stack.stop();
  }
}

export async function memoryPhase(ctx) {
  const rows = [];
  for (const side of ["relay", "reference"]) {
    for (const [size, study] of [
      ["small", "small"],
      ["large", "upload"],
    ])
      rows.push(
        await ctx.retryOnReload(`${side}, ${size}`, () =>
          measure(ctx, side, size, ctx.study(study)),
        ),
      );
  }
  const growth = (side, key) => {
    const [small, large] = rows.filter((r) => r.side === side);
    return round(large[key] - small[key], 1);
  };
  const isolate = isolateGrowthMB(...rows.filter((r) => r.side === "relay").map((r) => r.isolate));
  const result = {
    rows,
    isolateUsedGrowthMB: isolate.used,
    isolateCommittedGrowthMB: isolate.committed,
    growthMB: growth("relay", "peakMB"),
    growthAfterUploadMB: growth("relay", "peakAfterUploadMB"),
    referenceGrowthMB: growth("reference", "peakMB"),
    referenceGrowthAfterUploadMB: growth("reference", "peakAfterUploadMB"),
    proxyGrowthMB: growth("relay", "proxyPeakMB"),
    targetMB: TARGET_GROWTH_MB,
  };
  result.met = result.growthMB < TARGET_GROWTH_MB;
  ctx.log(
    `  workerd runtime peak growth, small -> large: relay ${result.growthMB} MB (target < ${TARGET_GROWTH_MB} MB: ${result.met ? "met" : "NOT met"}), R2 reference ${result.referenceGrowthMB} MB; the relay's worker isolate heap peak grows ${result.isolateUsedGrowthMB ?? "?"} MB used, ${result.isolateCommittedGrowthMB ?? "?"} MB committed`,
  );
  return result;
}
