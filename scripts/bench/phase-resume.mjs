// Issue 3, resume waste: an upload is cut at a random byte (every PUT in flight is destroyed
// mid-body), then a client that kept only the session id signs in again, asks the status and
// sends only the missing ranges. Waste = bytes written beyond the study's size; the target is at
// most one chunk per PUT that was in flight. The session must then verify byte-exact.
import { startStack } from "../lib/dev-stack.mjs";
import { MiB, NO_PACS, fmtMB, round } from "./context.mjs";
import { keepAliveAgent } from "./http.mjs";
import {
  chunkUrl,
  complete,
  getStatus,
  login,
  newUploadToken,
  openSession,
  planRanges,
  planStudy,
  sendChunks,
} from "./relay-client.mjs";
import { assertSame, waitForWorkerd } from "./workerd-memory.mjs";

/** Written in pieces this size, so a cut lands mid-body. */
const PIECE = 64 * 1024;

async function trial(ctx, stack, study, chunkMiB) {
  const chunkSize = Math.round(chunkMiB * MiB);
  // A reload of the worker would add 5xx retries to the waste: such a trial is run again.
  const pids = await waitForWorkerd(new URL(stack.url).port);
  const firstToken = await login(stack);
  const session = await openSession(stack.url, firstToken, study, chunkSize);
  const urlOf = chunkUrl(stack.url, session.sessionId);
  const controller = new AbortController();
  const cutAt = Math.floor(study.bytes * (0.1 + 0.8 * Math.random()));
  const cut = { atByte: cutAt, signal: controller.signal, abort: () => controller.abort() };
  let agent = keepAliveAgent(ctx.parallel);
  const before = await sendChunks(study, planStudy(study, chunkSize), {
    urlOf,
    token: session.uploadToken,
    parallel: ctx.parallel,
    agent,
    pieceBytes: PIECE,
    cut,
  });
  agent.destroy();
  if (!controller.signal.aborted) throw new Error("the upload ended before the cut point");

  // A new client: only the session id survived.
  const accessToken = await login(stack);
  const uploadToken = await newUploadToken(stack.url, accessToken, session.sessionId);
  const status = await getStatus(stack.url, uploadToken, session.sessionId);
  const jobs = status.files.flatMap((f) => planRanges(f.index, f.missing, chunkSize));
  agent = keepAliveAgent(ctx.parallel);
  const after = await sendChunks(study, jobs, {
    urlOf,
    token: uploadToken,
    parallel: ctx.parallel,
    agent,
    pieceBytes: PIECE,
  });
  agent.destroy();
  const final = await complete(stack.url, uploadToken, session.sessionId);
  if (final.counts.accepted !== study.files.length)
    throw new Error(
      `after resuming, the relay accepted ${final.counts.accepted} of ${study.files.length} files (${final.state}: ${final.message})`,
    );

  assertSame(pids);
  const wasted = before.written + after.written - study.bytes;
  const bound = before.inFlightAtCut * chunkSize;
  const row = {
    chunkMiB,
    cutAtPercent: round((100 * cutAt) / study.bytes, 1),
    inFlight: before.inFlightAtCut,
    cutMidBodyBytes: before.partialBytesAtCut,
    resentBytes: wasted,
    resentChunks: round(wasted / chunkSize),
    boundBytes: bound,
    duplicatePuts: after.noops,
    retries5xx: before.retries + after.retries,
    met: wasted <= bound,
  };
  ctx.log(
    `  ${chunkMiB} MiB chunks, cut at ${row.cutAtPercent}% with ${row.inFlight} PUTs in flight: re-sent ${fmtMB(wasted)} MB (${row.resentChunks} chunks; bound ${fmtMB(bound)} MB: ${row.met ? "met" : "NOT met"}), ${row.duplicatePuts} no-op re-sends; verified ${final.counts.accepted}/${study.files.length}`,
  );
  return row;
}

export async function resumePhase(ctx) {
  const study = ctx.study("resume");
  // Quarter-MiB chunks first: several per file, so resuming lands mid-file too.
  const sizes = [0.25, ...ctx.chunkSizes];
  const stack = await ctx.start("relay-resume", (dir) =>
    startStack({ stateDir: dir, orthanc: NO_PACS }),
  );
  const rows = [];
  try {
    for (let i = 0; i < ctx.trials; i++) {
      const chunkMiB = sizes[i % sizes.length];
      rows.push(
        await ctx.retryOnReload(`trial ${i + 1}`, () => trial(ctx, stack, study, chunkMiB)),
      );
    }
  } finally {
    await stack.stop();
  }
  return {
    instances: study.files.length,
    bytes: study.bytes,
    parallel: ctx.parallel,
    rows,
    met: rows.every((r) => r.met),
  };
}
