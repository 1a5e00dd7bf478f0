// The offline queue on a bad network, through Chromium's own network emulation (CDP): the link is
// cut in the middle of a chunk three times and the study still arrives with at most one chunk
// re-sent per cut; and on a throttled link (1 Mbit/s, 300 ms) the chunk size adapts and the
// upload keeps the link busy (goodput: file bytes delivered per second against the link rate).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { CDPSession, Page, Request } from "playwright-core";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { confirmStudy } from "../support/queue-page";
import { writeSyntheticStudy } from "../support/stack";
import { expectInOrthanc, queueSuite } from "./queue-suite";

const MiB = 1024 * 1024;

interface Link {
  latency: number;
  bytesPerSecond: number;
}

/** Chromium's network emulation for the page (the tab that runs the queue). */
async function emulate(cdp: CDPSession, link: Link | "offline"): Promise<void> {
  await cdp.send("Network.emulateNetworkConditions", {
    offline: link === "offline",
    latency: link === "offline" ? 0 : link.latency,
    downloadThroughput: link === "offline" ? 0 : link.bytesPerSecond,
    uploadThroughput: link === "offline" ? 0 : link.bytesPerSecond,
  });
}

interface ChunkPut {
  file: number;
  offset: number;
  bytes: number;
  startedAt: number;
  endedAt?: number;
  ok?: boolean;
}

/** Records every chunk PUT the page makes, with its size and when it started and ended. */
function recordChunks(page: Page): { puts: ChunkPut[]; manifest: number[] } {
  const puts: ChunkPut[] = [];
  const manifest: number[] = [];
  const byRequest = new Map<Request, ChunkPut>();
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (request.method() === "POST" && url.pathname === "/api/uploads") {
      const body = z.object({ files: z.array(z.object({ size: z.number() })) });
      manifest.splice(
        0,
        manifest.length,
        ...body.parse(request.postDataJSON()).files.map((f) => f.size),
      );
    }
    const match = /\/chunks\/(\d+)\/(\d+)$/.exec(url.pathname);
    if (request.method() !== "PUT" || !match) return;
    const put: ChunkPut = {
      file: Number(match[1]),
      offset: Number(match[2]),
      bytes: request.postDataBuffer()?.length ?? 0,
      startedAt: Date.now(),
    };
    puts.push(put);
    byRequest.set(request, put);
  });
  const ended = (request: Request, ok: boolean) => {
    const put = byRequest.get(request);
    if (!put) return;
    put.endedAt = Date.now();
    put.ok = ok && request.failure() === null;
  };
  page.on("requestfinished", (request) => ended(request, true));
  page.on("requestfailed", (request) => ended(request, false));
  return { puts, manifest };
}

async function deliveredReceipt(page: Page, timeout: number): Promise<string | null> {
  await page.goto(`${page.url().split("/").slice(0, 3).join("/")}/queue`);
  const receipt = page.getByTestId("queue-receipt").first();
  await receipt.waitFor({ timeout });
  return receipt.getAttribute("data-outcome");
}

const suite = queueSuite();

async function openApp(dir: string): Promise<{ page: Page; cdp: CDPSession }> {
  const page = await suite.openApp(dir);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  return { page, cdp };
}

describe("the offline queue on a bad network", () => {
  it("a link cut mid-chunk three times: delivered, at most one chunk re-sent per cut", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "rp-cuts-"));
    const study = writeSyntheticStudy(path.join(dir, "study"), 2, 4_000_000);
    const { page, cdp } = await openApp(dir);
    const link: Link = { latency: 20, bytesPerSecond: 500_000 };
    await emulate(cdp, link);
    const { puts } = recordChunks(page);
    const cuts: number[] = [];
    page.on("request", (request) => {
      if (request.method() !== "PUT" || cuts.length >= 3) return;
      const chunk = puts.length;
      if (chunk !== 2 && chunk !== 4 && chunk !== 6) return;
      cuts.push(chunk);
      // Mid-chunk: a 1 MiB chunk takes about two seconds on this link.
      setTimeout(() => {
        void emulate(cdp, "offline").then(() => setTimeout(() => void emulate(cdp, link), 2_500));
      }, 700);
    });

    await confirmStudy(page, study.files);
    expect(await deliveredReceipt(page, 150_000)).toBe("delivered");
    await expectInOrthanc(suite.stack, study);

    expect(cuts).toHaveLength(3);
    const failed = puts.filter((p) => p.ok === false);
    console.log(
      "cuts: chunk PUTs",
      puts.map((p) => `${p.file}/${p.offset}:${p.bytes}:${p.ok}`),
    );
    expect(failed.length).toBeGreaterThanOrEqual(3);
    const sent = puts.reduce((n, p) => n + p.bytes, 0);
    const files = new Map<number, number>();
    for (const p of puts) files.set(p.file, Math.max(files.get(p.file) ?? 0, p.offset + p.bytes));
    const fileBytes = [...files.values()].reduce((n, b) => n + b, 0);
    const largest = Math.max(...puts.map((p) => p.bytes));
    expect(sent - fileBytes).toBeLessThanOrEqual(3 * largest);
  });

  it("on a throttled link (1 Mbit/s, 300 ms) the chunk size adapts and the study arrives", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "rp-slow-"));
    const study = writeSyntheticStudy(path.join(dir, "study"), 3, 1_500_000);
    const { page, cdp } = await openApp(dir);
    const link: Link = { latency: 300, bytesPerSecond: 125_000 };
    await emulate(cdp, link);
    const { puts, manifest } = recordChunks(page);

    await confirmStudy(page, study.files);
    expect(await deliveredReceipt(page, 170_000)).toBe("delivered");
    await expectInOrthanc(suite.stack, study);

    const ok = puts.filter((p) => p.ok);
    // Chunks that are not a file's last piece were cut to the planned size.
    const planned = ok
      .filter((p) => p.offset + p.bytes < (manifest[p.file] ?? 0))
      .map((p) => p.bytes);
    console.log(
      "throttled: chunk sizes",
      ok.map((p) => p.bytes),
    );
    expect(planned[0]).toBe(1 * MiB);
    expect(planned.some((bytes) => bytes < MiB && bytes >= 256 * 1024)).toBe(true);
    const first = Math.min(...ok.map((p) => p.startedAt));
    const last = Math.max(...ok.map((p) => p.endedAt ?? 0));
    const delivered = manifest.reduce((n, b) => n + b, 0);
    const goodput = delivered / ((last - first) / 1000) / link.bytesPerSecond;
    console.log(
      `goodput: ${delivered} bytes in ${((last - first) / 1000).toFixed(1)} s = ${(goodput * 100).toFixed(1)}% of 1 Mbit/s`,
    );
    expect(goodput).toBeGreaterThanOrEqual(0.85);
  });
});
