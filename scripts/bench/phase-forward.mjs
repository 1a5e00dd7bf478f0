// Issue 4, forwarding: time from `complete` to "delivered" through the relay to a private Orthanc,
// against a direct STOW-RS of the same files to the same Orthanc (run before and after the relay,
// Orthanc emptied between runs), and workerd's peak RSS from complete to delivered for a 10 MB
// study vs the forward study, each in a fresh `wrangler dev` (peaks reset after the upload). The
// R2 reference worker sending the same objects to Orthanc gives this runtime's forwarding floor.
import { startStack } from "../lib/dev-stack.mjs";
import { startOrthanc } from "../lib/orthanc.mjs";
import { MB, MiB, fmtMB, round } from "./context.mjs";
import { batches, directStow, emptyOrthanc, instanceCount } from "./direct-stow.mjs";
import { json, keepAliveAgent } from "./http.mjs";
import { startReference } from "./reference-stack.mjs";
import {
  complete,
  planRanges,
  planStudy,
  pollUntil,
  sendChunks,
  uploadStudy,
} from "./relay-client.mjs";
import { TARGET_GROWTH_MB } from "./phase-memory.mjs";
import {
  describeIsolate,
  isolateFigures,
  isolateGrowthMB,
  watchIsolateHeap,
} from "./isolate-heap.mjs";
import { memoryOf, resetPeak, snapshot, waitForWorkerd } from "./workerd-memory.mjs";

export const TARGET_RATIO = 1.15;
const CHUNK = 8 * MiB;

/**
 * A stack holding the uploaded study, restarted before complete -> delivered; Orthanc emptied
 * first. The restart (state stays on disk) starts forwarding in a fresh runtime for both study
 * sizes, so the memory workerd kept after taking the upload (issue 3's figure) is not counted as
 * forwarding's; `rssAtCompleteMB` shows the runtime's size when forwarding began.
 */
async function relayRun(ctx, label, orthanc, study) {
  return ctx.retryOnReload(`relay forward, ${label}`, async () => {
    await emptyOrthanc(orthanc);
    const stack = await ctx.start(`relay-forward-${label}`, async (dir) => {
      const uploading = await startStack({ stateDir: dir, orthanc });
      let upload;
      try {
        const agent = keepAliveAgent(ctx.parallel);
        upload = await uploadStudy(uploading, study, {
          chunkSize: CHUNK,
          parallel: ctx.parallel,
          agent,
        });
        agent.destroy();
      } finally {
        await uploading.stop();
      }
      return { ...(await startStack({ stateDir: dir, orthanc, restart: true })), upload };
    });
    try {
      const pids = await waitForWorkerd(new URL(stack.url).port);
      return await forward(orthanc, study, { stack, upload: stack.upload, pids });
    } finally {
      await stack.stop();
    }
  });
}

/** complete -> delivered through the relay; returns timings and the memory peak meanwhile. */
async function forward(orthanc, study, { stack, upload, pids }) {
  const heap = await watchIsolateHeap(stack.inspectorPort);
  const reset = resetPeak(pids.runtime) && resetPeak(pids.proxy);
  const atReset = snapshot(pids);
  // The session's updatedAt is the server's clock (the same machine's) at each transition: the
  // time of "delivered" does not depend on when a poll happened to see it.
  const started = Date.now();
  // Which step the peak belongs to: the runtime's RSS sampled every 100 ms, by session state.
  const peakBy = { verifying: 0, forwarding: 0 };
  let step = "verifying";
  const series = [];
  const sampler = setInterval(() => {
    try {
      const rss = memoryOf(pids.runtime).rss;
      peakBy[step] = Math.max(peakBy[step], rss);
      if (process.env.BENCH_DEBUG)
        series.push(
          `${((Date.now() - started) / 1000).toFixed(1)}s ${step[0]} ${Math.round(rss / MB)}`,
        );
    } catch {
      // the runtime was replaced: retryOnReload voids the run
    }
  }, 100);
  const verified = await complete(stack.url, upload.uploadToken, upload.sessionId).finally(
    () => (step = "forwarding"),
  );
  const verifyMs = verified.updatedAt - started;
  if (verified.counts.accepted !== study.files.length)
    throw new Error(
      `the relay accepted ${verified.counts.accepted} of ${study.files.length} files`,
    );
  let forwardingSeenMs;
  const { status } = await pollUntil(
    stack.url,
    upload.uploadToken,
    upload.sessionId,
    (s) => {
      if (s.state === "forwarding") forwardingSeenMs ??= s.updatedAt - started;
      return s.state === "delivered";
    },
    { everyMs: Number(process.env.BENCH_POLL_MS) || 200, timeoutMs: 30 * 60_000 },
  );
  clearInterval(sampler);
  const isolate = isolateFigures(await heap.stop());
  if (process.env.BENCH_DEBUG) console.log(`  RSS MB over the run: ${series.join(", ")}`);
  const totalMs = status.updatedAt - started;
  const peak = snapshot(pids);
  const held = await instanceCount(orthanc);
  if (status.counts.stored !== study.files.length || held !== study.files.length)
    throw new Error(
      `delivered, but the relay counts ${status.counts.stored} stored and Orthanc holds ${held} of ${study.files.length}`,
    );
  return {
    totalMs,
    verifyMs,
    forwardingSeenMs: forwardingSeenMs ?? totalMs,
    peakReset: reset,
    rssAtCompleteMB: round(atReset.runtime.rss / MB, 1),
    peakMB: round(peak.runtime.hwm / MB, 1),
    proxyPeakMB: round(peak.proxy.hwm / MB, 1),
    isolate,
    sampledPeakMB: {
      verifying: round(peakBy.verifying / MB, 1),
      forwarding: round(peakBy.forwarding / MB, 1),
    },
  };
}

/**
 * The forwarding floor of this runtime: the study PUT to the R2 reference worker, which is then
 * restarted (state on disk) like the relay's runtime, so both are measured fresh; then the R2
 * reads of the relay's header check (the first 16 KiB of each object) and the objects sent to
 * Orthanc in the same batches by a few lines of plain streaming (no session, no checks).
 */
async function referenceForward(ctx, orthanc, study) {
  return ctx.retryOnReload("R2 reference forward", async () => {
    await emptyOrthanc(orthanc);
    const keyOf = (job) => `bench/${job.file}/${job.offset}`;
    const reference = await ctx.start("reference-forward", async (dir) => {
      const loading = await startReference({ stateDir: dir });
      try {
        const agent = keepAliveAgent(ctx.parallel);
        await sendChunks(study, planStudy(study, CHUNK), {
          parallel: ctx.parallel,
          agent,
          urlOf: (job) => `${loading.url}/${keyOf(job)}`,
        });
        agent.destroy();
      } finally {
        await loading.stop();
      }
      return startReference({ stateDir: dir });
    });
    try {
      const pids = await waitForWorkerd(new URL(reference.url).port);
      const index = new Map(study.files.map((f, i) => [f, i]));
      const plan = batches(study.files).map((group) =>
        group.map((f) => ({
          size: f.size,
          keys: planRanges(index.get(f), [[0, f.size]], CHUNK).map(keyOf),
        })),
      );
      const authorization = `Basic ${Buffer.from(`${orthanc.username}:${orthanc.password}`).toString("base64")}`;
      resetPeak(pids.runtime);
      const atStart = snapshot(pids);
      const heads = await json(`${reference.url}/heads`, { method: "POST" });
      const afterHeads = snapshot(pids);
      const started = performance.now();
      const answer = await json(`${reference.url}/stow`, {
        method: "POST",
        body: { url: `${orthanc.url}/dicom-web`, authorization, batches: plan },
      });
      const ms = performance.now() - started;
      const peak = snapshot(pids);
      const held = await instanceCount(orthanc);
      if (
        heads.objects !== study.files.length ||
        answer.status !== 200 ||
        held !== study.files.length
      )
        throw new Error(
          `the R2 reference read ${heads.objects} headers, its STOW-RS answered ${answer.status}; Orthanc holds ${held} of ${study.files.length}`,
        );
      await emptyOrthanc(orthanc);
      return {
        ms,
        headsRiseMB: round((afterHeads.runtime.hwm - atStart.runtime.rss) / MB, 1),
        riseMB: round((peak.runtime.hwm - atStart.runtime.rss) / MB, 1),
      };
    } finally {
      await reference.stop();
    }
  });
}

export async function forwardPhase(ctx) {
  const orthanc = await ctx.start("orthanc", (dir) => startOrthanc({ stateDir: dir }));
  try {
    const small = ctx.study("small");
    const smallForward = await relayRun(ctx, "small", orthanc, small);
    await emptyOrthanc(orthanc);
    ctx.log(
      `  ${fmtMB(small.bytes)} MB study: complete -> delivered ${(smallForward.totalMs / 1000).toFixed(1)} s, workerd runtime peak ${smallForward.peakMB} MB, worker isolate heap peak ${describeIsolate(smallForward.isolate)}`,
    );

    const study = ctx.study("forward");
    const direct = [];
    const stow = async () => {
      await emptyOrthanc(orthanc);
      const d = await directStow(orthanc, study);
      if (d.stored !== study.files.length)
        throw new Error(`direct STOW-RS stored ${d.stored} of ${study.files.length}`);
      direct.push(d);
      await emptyOrthanc(orthanc);
      ctx.log(`  direct STOW-RS: ${d.requests} requests, ${(d.ms / 1000).toFixed(1)} s`);
    };
    await stow();
    const relay = await relayRun(ctx, "large", orthanc, study);
    await emptyOrthanc(orthanc);
    const queued = relay.forwardingSeenMs - relay.verifyMs;
    ctx.log(
      `  relay: complete -> delivered ${(relay.totalMs / 1000).toFixed(1)} s (verification ${(relay.verifyMs / 1000).toFixed(1)} s, queued about ${(queued / 1000).toFixed(1)} s, forwarding ${((relay.totalMs - relay.forwardingSeenMs) / 1000).toFixed(1)} s), workerd runtime peak ${relay.peakMB} MB (RSS ${relay.rssAtCompleteMB} MB at complete; sampled peak ${relay.sampledPeakMB.verifying} MB verifying, ${relay.sampledPeakMB.forwarding} MB forwarding); worker isolate heap peak ${describeIsolate(relay.isolate)}`,
    );
    const {
      ms: referenceMs,
      riseMB: referenceRiseMB,
      headsRiseMB: referenceHeadsRiseMB,
    } = await referenceForward(ctx, orthanc, study);
    ctx.log(`  R2 reference worker -> Orthanc, same batches: ${(referenceMs / 1000).toFixed(1)} s`);
    await stow();
    const directMs = direct.reduce((n, d) => n + d.ms, 0) / direct.length;
    const ratio = round(relay.totalMs / directMs);
    const ratioAfterVerify = round((relay.totalMs - relay.verifyMs) / directMs);
    const growthMB = round(relay.peakMB - smallForward.peakMB, 1);
    const { used: isolateUsedGrowthMB, committed: isolateCommittedGrowthMB } = isolateGrowthMB(
      smallForward.isolate,
      relay.isolate,
    );
    const forwardingMs = relay.totalMs - relay.forwardingSeenMs;
    const forwardingVsReference = round(forwardingMs / referenceMs);
    ctx.log(
      `  relay/direct ${ratio} (goal <= ${TARGET_RATIO}); without verification ${ratioAfterVerify}; the relay's forwarding step / R2 reference forwarding ${forwardingVsReference}; peak growth ${growthMB} MB (target < ${TARGET_GROWTH_MB} MB); peak rise, both runtimes fresh: relay ${round(relay.peakMB - relay.rssAtCompleteMB, 1)} MB, R2 reference ${referenceRiseMB} MB (${referenceHeadsRiseMB} MB of it reading each object's first 16 KiB); worker isolate heap peak growth ${isolateUsedGrowthMB ?? "?"} MB used, ${isolateCommittedGrowthMB ?? "?"} MB committed`,
    );
    return {
      isolateUsedGrowthMB,
      isolateCommittedGrowthMB,
      instances: study.files.length,
      bytes: study.bytes,
      requests: direct[0].requests,
      directMs: direct.map((d) => Math.round(d.ms)),
      referenceForwardMs: Math.round(referenceMs),
      // Peak RSS above the RSS when complete (relay) or the STOW-RS (reference) began.
      riseMB: round(relay.peakMB - relay.rssAtCompleteMB, 1),
      referenceRiseMB,
      referenceHeadsRiseMB,
      forwardingVsReference,
      relay: {
        ...relay,
        totalMs: Math.round(relay.totalMs),
        verifyMs: Math.round(relay.verifyMs),
        forwardingSeenMs: Math.round(relay.forwardingSeenMs),
      },
      ratio,
      ratioAfterVerify,
      ratioMet: ratio <= TARGET_RATIO,
      small: { bytes: small.bytes, ...smallForward },
      growthMB,
      growthMet: growthMB < TARGET_GROWTH_MB,
    };
  } finally {
    await orthanc.stop();
  }
}
