// Issue 3, throughput: the study sent through the relay (`wrangler dev`, loopback) at each chunk
// size, against the same chunks PUT to a worker that only writes them to R2. The machine is shared
// and noisy, so the two runs are interleaved slice by slice (reference, relay, reference, ...) and
// each side's time is the sum of its slices; workerd's CPU seconds per GB, less sensitive to the
// load, are reported too. Chunk hashes are computed before the clock starts.
import { startStack } from "../lib/dev-stack.mjs";
import { MB, MiB, NO_PACS, fmtMB, mbps, round } from "./context.mjs";
import { json, keepAliveAgent } from "./http.mjs";
import { startReference } from "./reference-stack.mjs";
import {
  chunkUrl,
  hashJobs,
  login,
  openSession,
  planStudy,
  sendChunks,
  uploadStudy,
} from "./relay-client.mjs";
import { subStudy } from "./synthetic-study.mjs";
import { Reloaded, cpuSeconds, waitForWorkerd } from "./workerd-memory.mjs";

const MAX_SLICES = 10;

/** Consecutive slices of `jobs`, each big enough to keep `parallel` PUTs busy for a while. */
function slicesOf(jobs, parallel) {
  const count = Math.max(1, Math.min(MAX_SLICES, Math.floor(jobs.length / (4 * parallel))));
  const size = Math.ceil(jobs.length / count);
  const out = [];
  for (let at = 0; at < jobs.length; at += size) out.push(jobs.slice(at, at + size));
  return out;
}

/** Runs one slice against one side: wall time, workerd CPU time and 5xx retries. */
async function timedSlice(study, jobs, pids, options) {
  const cpuBefore = cpuSeconds(pids);
  const started = performance.now();
  const run = await sendChunks(study, jobs, options);
  const ms = performance.now() - started;
  return {
    ms,
    cpu: cpuSeconds(pids) - cpuBefore,
    retries: run.retries,
    reason: run.lastRetryReason,
  };
}

export async function uploadPhase(ctx) {
  const study = ctx.study("upload");
  const largest = Math.max(...study.files.map((f) => f.size));
  if (ctx.chunkSizes.every((cs) => cs * MiB >= largest)) {
    ctx.log(
      `  note: every chunk size is >= the largest file (${fmtMB(largest)} MB): each file goes in one PUT, so chunk size barely matters here (try --instances).`,
    );
  }
  const reference = await ctx.start("reference", (dir) => startReference({ stateDir: dir }));
  const relay = await ctx.start("relay-upload", (dir) =>
    startStack({ stateDir: dir, orthanc: NO_PACS }),
  );
  const rows = [];
  try {
    // Warm-up, untimed: the first requests of a fresh workerd pay for compiling and for creating
    // the bucket and the first Durable Object.
    const warm = subStudy(study, Math.min(10, study.files.length));
    const warmAgent = keepAliveAgent(ctx.parallel);
    await sendChunks(warm, planStudy(warm, MiB), {
      parallel: ctx.parallel,
      agent: warmAgent,
      urlOf: (job) => `${reference.url}/warm/${job.file}/${job.offset}`,
    });
    await json(`${reference.url}/`, { method: "DELETE" });
    await uploadStudy(relay, warm, { chunkSize: MiB, parallel: ctx.parallel, agent: warmAgent });
    warmAgent.destroy();

    for (const cs of ctx.chunkSizes) {
      const chunkSize = Math.round(cs * MiB);
      const jobs = await hashJobs(study, planStudy(study, chunkSize));
      const agent = keepAliveAgent(ctx.parallel);
      const accessToken = await login(relay);
      const session = await openSession(relay.url, accessToken, study, chunkSize);
      const pidsOf = async (url) => Object.values(await waitForWorkerd(new URL(url).port));
      let refPids = await pidsOf(reference.url);
      let relPids = await pidsOf(relay.url);
      const ref = { ms: 0, cpu: 0, retries: 0 };
      const rel = { ms: 0, cpu: 0, retries: 0 };
      let bytes = 0;
      let voided = 0;
      let retryReason;
      const slices = slicesOf(jobs, ctx.parallel);
      for (const slice of slices) {
        try {
          const r = await timedSlice(study, slice, refPids, {
            parallel: ctx.parallel,
            agent,
            urlOf: (job) => `${reference.url}/bench/${job.file}/${job.offset}`,
          });
          const l = await timedSlice(study, slice, relPids, {
            parallel: ctx.parallel,
            agent,
            urlOf: chunkUrl(relay.url, session.sessionId),
            token: session.uploadToken,
          });
          for (const [side, run] of [
            [ref, r],
            [rel, l],
          ]) {
            side.ms += run.ms;
            side.cpu += run.cpu;
            side.retries += run.retries;
            retryReason ??= run.reason;
          }
          bytes += slice.reduce((n, job) => n + job.end - job.offset, 0);
        } catch (error) {
          // A reload replaced a workerd mid-slice: drop this pair of slices, keep measuring.
          if (!(error instanceof Reloaded)) throw error;
          voided++;
          ctx.reloads++;
          refPids = await pidsOf(reference.url);
          relPids = await pidsOf(relay.url);
        }
      }
      if (bytes === 0) throw new Reloaded();
      agent.destroy();
      await json(`${reference.url}/`, { method: "DELETE" });

      const perGB = (cpu) => round(cpu / (bytes / (1000 * MB)), 1);
      const row = {
        chunkMiB: cs,
        puts: jobs.length,
        slices: slices.length,
        voidedSlices: voided,
        relayMBps: round(mbps(bytes, rel.ms), 1),
        referenceMBps: round(mbps(bytes, ref.ms), 1),
        relayMs: Math.round(rel.ms),
        referenceMs: Math.round(ref.ms),
        relayCpuSecondsPerGB: perGB(rel.cpu),
        referenceCpuSecondsPerGB: perGB(ref.cpu),
        retries: rel.retries + ref.retries,
        retryReason,
      };
      row.ratio = round(row.relayMBps / row.referenceMBps);
      row.cpuRatio = round(row.relayCpuSecondsPerGB / row.referenceCpuSecondsPerGB);
      rows.push(row);
      ctx.log(
        `  ${cs} MiB chunks (${jobs.length} PUTs in ${slices.length} interleaved slices): relay ${row.relayMBps} MB/s, R2 reference ${row.referenceMBps} MB/s, relay/reference ${row.ratio}; workerd CPU s/GB relay ${row.relayCpuSecondsPerGB}, reference ${row.referenceCpuSecondsPerGB}${row.retries ? `; ${row.retries} PUTs retried after a 5xx (${row.retryReason})` : ""}${voided ? `; ${voided} slice pairs dropped: wrangler dev reloaded` : ""}`,
      );
    }
  } finally {
    await relay.stop();
    await reference.stop();
  }
  return {
    instances: study.files.length,
    bytes: study.bytes,
    parallel: ctx.parallel,
    rows,
  };
}
