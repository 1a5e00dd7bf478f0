// Turns the benchmark's results into the plain-text tables `npm run bench` ends with.
import { fmtMB } from "./context.mjs";

/** A left-aligned text table; `rows` are arrays of cells. */
export function table(title, header, rows) {
  const cells = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]?.length ?? 0)));
  const line = (r) =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [title, line(cells[0]), rule, ...cells.slice(1).map(line)].join("\n");
}

const verdict = (met) => (met ? "met" : "NOT met");
const s = (ms) => (ms / 1000).toFixed(1);

function upload(p) {
  return table(
    `Upload throughput (issue 3): ${p.instances} instances, ${fmtMB(p.bytes)} MB, ${p.parallel} PUTs in flight, relay and R2 reference interleaved; MB = 10^6 bytes`,
    [
      "chunk",
      "PUTs",
      "relay MB/s",
      "R2 reference MB/s",
      "relay/reference",
      "workerd CPU s/GB relay",
      "reference",
      "CPU ratio",
      "5xx retries",
    ],
    p.rows.map((r) => [
      `${r.chunkMiB} MiB`,
      r.puts,
      r.relayMBps,
      r.referenceMBps,
      r.ratio,
      r.relayCpuSecondsPerGB,
      r.referenceCpuSecondsPerGB,
      r.cpuRatio,
      r.retries,
    ]),
  );
}

/** The worker isolate's heap peak (isolate-heap.mjs), or "not read". */
const isolateCell = (i) =>
  !i || "error" in i ? "not read" : `${i.usedPeakMB} / ${i.committedPeakMB}`;

function memory(p) {
  return table(
    `Memory over a session (issue 3): workerd runtime VmHWM, fresh wrangler dev each, ${p.rows[0].instances} vs ${p.rows[1].instances} files; relay growth ${p.growthMB} MB (target < ${p.targetMB} MB: ${verdict(p.met)}), R2 reference growth ${p.referenceGrowthMB} MB; the relay's worker isolate heap peak grows ${p.isolateUsedGrowthMB ?? "?"} MB used, ${p.isolateCommittedGrowthMB ?? "?"} MB committed`,
    [
      "side",
      "study",
      "MB",
      "idle RSS MB",
      "peak after PUTs MB",
      "peak after read-back MB",
      "proxy peak MB",
      "upload MB/s",
      "read-back MB/s",
      "GET status ms",
      "isolate heap peak MB (used / committed)",
    ],
    p.rows.map((r) => [
      r.side,
      r.study,
      fmtMB(r.bytes),
      r.idleRssMB,
      r.peakAfterUploadMB,
      r.peakMB,
      r.proxyPeakMB,
      r.uploadMBps,
      r.verifyMBps,
      r.statusMs ?? "",
      isolateCell(r.isolate),
    ]),
  );
}

function resume(p) {
  return table(
    `Resume waste (issue 3): ${p.instances} instances, ${fmtMB(p.bytes)} MB, cut at a random byte, resumed from status; target <= 1 chunk per PUT in flight: ${verdict(p.met)}`,
    [
      "chunk",
      "cut at",
      "in flight",
      "re-sent MB",
      "re-sent chunks",
      "bound MB",
      "no-op re-sends",
      "5xx retries",
      "target",
    ],
    p.rows.map((r) => [
      `${r.chunkMiB} MiB`,
      `${r.cutAtPercent}%`,
      r.inFlight,
      fmtMB(r.resentBytes),
      r.resentChunks,
      fmtMB(r.boundBytes),
      r.duplicatePuts,
      r.retries5xx,
      verdict(r.met),
    ]),
  );
}

function forward(p) {
  const r = p.relay;
  const queued = (run) => s(run.forwardingSeenMs - run.verifyMs);
  const forwarding = (run) => s(run.totalMs - run.forwardingSeenMs);
  const rows = [
    ["direct STOW-RS (before, after)", p.directMs.map(s).join(", "), "", "", "", "", "", ""],
    [
      "relay complete -> delivered",
      s(r.totalMs),
      s(r.verifyMs),
      queued(r),
      forwarding(r),
      `${p.ratio} (${p.ratioAfterVerify} without verify)`,
      r.peakMB,
      isolateCell(r.isolate),
    ],
    [
      "R2 reference worker -> Orthanc",
      s(p.referenceForwardMs),
      "",
      "",
      s(p.referenceForwardMs),
      `relay forwarding step / this: ${p.forwardingVsReference}`,
      "",
      "",
    ],
    [
      `relay, ${fmtMB(p.small.bytes)} MB study`,
      s(p.small.totalMs),
      s(p.small.verifyMs),
      queued(p.small),
      forwarding(p.small),
      "",
      p.small.peakMB,
      isolateCell(p.small.isolate),
    ],
  ];
  return table(
    `Forwarding (issue 4): ${p.instances} instances, ${fmtMB(p.bytes)} MB, ${p.requests} STOW-RS requests; ratio goal <= 1.15: ${verdict(p.ratioMet)}; peak growth ${p.growthMB} MB, target < 64 MB: ${verdict(p.growthMet)}; peak rise over the run, both runtimes fresh: relay ${p.riseMB} MB, R2 reference ${p.referenceRiseMB} MB (header reads ${p.referenceHeadsRiseMB ?? "?"} MB of it); worker isolate heap peak growth ${p.isolateUsedGrowthMB ?? "?"} MB used, ${p.isolateCommittedGrowthMB ?? "?"} MB committed`,
    [
      "run",
      "seconds",
      "verify s",
      "queued s",
      "forwarding s",
      "relay/direct",
      "workerd peak MB",
      "isolate heap peak MB (used / committed)",
    ],
    rows,
  );
}

function intake(p) {
  const heap = Math.max(p.zip.pageHeapPeak, p.zip.workerHeapPeak);
  return table(
    `Intake in Chromium (issue 5): header scan target <= ${p.scan.targetMs} ms: ${verdict(p.scan.medianMs <= p.scan.targetMs)}; ZIP peak JS heap target <= ${p.zip.targetHeap / 2 ** 20} MiB: ${verdict(heap <= p.zip.targetHeap)}`,
    ["measure", "input", "result"],
    [
      [
        "header scan, selection -> confirm screen",
        `${p.scan.files} files, ${fmtMB(p.scan.bytes)} MB`,
        `median ${p.scan.medianMs} ms (runs ${p.scan.runs.join(", ")} ms)`,
      ],
      [
        "the browser's floor: first 16 KiB of each file read in workers, nothing parsed",
        `${p.scan.files} files`,
        p.scan.floorMs === undefined
          ? "not measured"
          : `median ${p.scan.floorMs} ms (runs ${p.scan.floorRuns.join(", ")} ms); the scan takes ${p.scan.overFloor}× that`,
      ],
      [
        "ZIP unpack and scan",
        `${p.zip.members} members, ${fmtMB(p.zip.bytes)} MB`,
        `${p.zip.seconds} s; peak JS heap page ${fmtMB(p.zip.pageHeapPeak)} MB, archive worker ${fmtMB(p.zip.workerHeapPeak)} MB; renderer RSS ${fmtMB(p.zip.rendererRssPeak)} MB`,
      ],
    ],
  );
}

function goodput(p) {
  return table(
    `Offline queue on a throttled link (issue 6): Chromium network emulation 1 Mbit/s, 300 ms; target >= ${p.targetPercent}%: ${verdict(p.goodputPercent >= p.targetPercent)}`,
    ["file bytes", "seconds", "goodput (% of link)", "chunk sizes (bytes)"],
    [[p.bytes, p.seconds, `${p.goodputPercent}%`, p.chunkSizes.join(" ")]],
  );
}

const RENDER = { upload, memory, resume, forward, intake, goodput };

export function summaryTables(results) {
  const m = results.machine;
  const head = `Machine: ${m.cpus} CPUs (${m.cpuModel}), load average ${m.loadAverage.join(" ")} at start, ${m.loadAverageAtEnd?.join(" ") ?? "?"} at end; Node ${m.node}; scale ${results.options.scale}`;
  const parts = Object.entries(results.phases).map(([name, p]) =>
    p.error ? `${name}: FAILED: ${p.error}` : `${RENDER[name](p)}\n(${p.seconds} s)`,
  );
  const reloads = results.wranglerReloads
    ? [
        `wrangler dev reloaded its worker ${results.wranglerReloads} time(s) mid-measurement (a watched file changed, e.g. under node_modules); those measurements were dropped or repeated.`,
      ]
    : [];
  const interrupted = results.interrupted
    ? [`Run ${results.interrupted}: only the phases above finished.`]
    : [];
  return [head, ...parts, ...reloads, ...interrupted].join("\n\n");
}
