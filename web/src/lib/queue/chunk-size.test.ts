import { describe, expect, it } from "vitest";
import { ChunkSizer, DEFAULT_SIZER } from "./chunk-size";

const KiB = 1024;
const MiB = 1024 * KiB;
const SERVER = { min: 256 * KiB, max: 32 * MiB, preferred: 8 * MiB };

describe("ChunkSizer", () => {
  it("starts at 1 MiB when the rate is unknown (never above the server's preferred size)", () => {
    expect(new ChunkSizer(SERVER).size).toBe(MiB);
    expect(new ChunkSizer({ ...SERVER, preferred: 512 * KiB }).size).toBe(512 * KiB);
  });

  it("starts from a rate already measured: about four seconds of it", () => {
    expect(new ChunkSizer(SERVER, DEFAULT_SIZER, 125_000).size).toBe(448 * KiB);
  });

  it("on a fast link grows at most twofold per chunk, up to its 16 MiB cap", () => {
    const sizer = new ChunkSizer(SERVER);
    const sizes = [];
    for (let i = 0; i < 6; i++) {
      sizes.push(sizer.size);
      sizer.succeeded(sizer.size, 50);
    }
    expect(sizes).toEqual([1, 2, 4, 8, 16, 16].map((n) => n * MiB));
  });

  it("on a 1 Mbit/s link settles at about four seconds of data per chunk", () => {
    const sizer = new ChunkSizer(SERVER);
    for (let i = 0; i < 5; i++) sizer.succeeded(sizer.size, (sizer.size / 125_000) * 1000 + 300);
    expect(sizer.size).toBeGreaterThanOrEqual(384 * KiB);
    expect(sizer.size).toBeLessThanOrEqual(512 * KiB);
  });

  it("halves after a failure, never below the server's minimum", () => {
    const sizer = new ChunkSizer(SERVER);
    sizer.failed();
    expect(sizer.size).toBe(512 * KiB);
    sizer.failed();
    sizer.failed();
    expect(sizer.size).toBe(256 * KiB);
  });

  it("ignores a file's short last piece when measuring (it is all latency)", () => {
    const sizer = new ChunkSizer(SERVER);
    sizer.succeeded(10 * KiB, 400);
    expect(sizer.rateBps).toBeNull();
    expect(sizer.size).toBe(MiB);
  });

  it("keeps to a server whose bounds are narrower than its own", () => {
    const sizer = new ChunkSizer({ min: 4, max: 6, preferred: 100 });
    expect(sizer.size).toBe(6);
    sizer.failed();
    expect(sizer.size).toBe(4);
  });
});
