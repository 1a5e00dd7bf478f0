import { describe, expect, it } from "vitest";
import { concatBytes, readU32be } from "./bytes";
import { commandPdus, dataSetPdus, FileReadError, maxFragmentBytes } from "./fragments";
import { decodePdu } from "./pdu";
import type { Pdv } from "./pdu-types";
import { streamOf } from "./test-support/sources";

function pdvOf(pdu: Uint8Array): Pdv {
  expect(readU32be(pdu, 2)).toBe(pdu.length - 6);
  const decoded = decodePdu(pdu[0] ?? 0, pdu.subarray(6));
  const [pdv, ...more] = decoded.type === "p-data-tf" ? decoded.pdvs : [];
  if (!pdv || more.length > 0) throw new Error("not one PDV");
  return pdv;
}

async function collect(iterable: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const pdu of iterable) out.push(pdu);
  return out;
}

const file = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 31 + 7) & 0xff);

describe("data set fragmentation", () => {
  it("a fragment fits the peer's limit: limit minus the 6-byte PDV overhead, rounded down to even", () => {
    expect(maxFragmentBytes(16384)).toBe(16378);
    expect(maxFragmentBytes(4097)).toBe(4090);
  });

  for (const chunkSize of [1, 7, 100, 4096, 20_000]) {
    it(`reads chunks of ${chunkSize} bytes into PDUs that reassemble into the data set exactly`, async () => {
      const pdus = await collect(
        dataSetPdus(streamOf(file, chunkSize), {
          skip: 333,
          length: 9_000,
          contextId: 5,
          maxFragment: 1000,
        }),
      );
      const pdvs = pdus.map(pdvOf);
      expect(concatBytes(pdvs.map((p) => p.data))).toEqual(file.subarray(333, 9_333));
      expect(pdvs.every((p) => p.contextId === 5 && !p.command)).toBe(true);
      expect(pdvs.map((p) => p.last)).toEqual([...new Array<boolean>(8).fill(false), true]);
      expect(pdvs.every((p) => p.data.length <= 1000)).toBe(true);
      expect(pdvs.every((p) => p.data.length % 2 === 0)).toBe(true);
    });
  }

  for (const maxFragment of [4, 6, 64]) {
    it(`an odd-length data set gets one NUL pad byte on the wire (fragments of ${maxFragment})`, async () => {
      const slice = { skip: 1, length: 9, contextId: 1, maxFragment };
      const pdvs = (await collect(dataSetPdus(streamOf(file, 3), slice))).map(pdvOf);
      expect(concatBytes(pdvs.map((p) => p.data))).toEqual(
        concatBytes([file.subarray(1, 10), new Uint8Array(1)]),
      );
      expect(pdvs.every((p) => p.data.length % 2 === 0)).toBe(true);
      expect(pdvs.filter((p) => p.last)).toHaveLength(1);
      expect(pdvs.at(-1)?.last).toBe(true);
    });
  }

  it("stops at the recorded length even when the stream has more", async () => {
    const pdus = await collect(
      dataSetPdus(streamOf(file, 512), { skip: 0, length: 10, contextId: 1, maxFragment: 64 }),
    );
    expect(pdus.map(pdvOf).map((p) => [...p.data])).toEqual([[...file.subarray(0, 10)]]);
  });

  it("an empty data set is one empty last fragment", async () => {
    const pdus = await collect(
      dataSetPdus(streamOf(file, 512), { skip: 10, length: 0, contextId: 1, maxFragment: 64 }),
    );
    expect(pdus.map(pdvOf)).toEqual([
      { contextId: 1, command: false, last: true, data: new Uint8Array() },
    ]);
  });

  it("a stream shorter than the recorded size throws FileReadError after the bytes it had", async () => {
    const seen: Uint8Array[] = [];
    const run = async () => {
      for await (const pdu of dataSetPdus(streamOf(file.subarray(0, 500), 100), {
        skip: 0,
        length: 1000,
        contextId: 1,
        maxFragment: 200,
      })) {
        seen.push(pdu);
      }
    };
    await expect(run()).rejects.toBeInstanceOf(FileReadError);
    expect(seen.map(pdvOf).every((p) => !p.last)).toBe(true);
  });

  it("a stream that errors throws FileReadError", async () => {
    const broken = new ReadableStream<Uint8Array>({
      pull: (c) => c.error(new Error("R2 read failed")),
    });
    await expect(
      collect(dataSetPdus(broken, { skip: 0, length: 10, contextId: 1, maxFragment: 64 })),
    ).rejects.toBeInstanceOf(FileReadError);
  });

  it("cancels the source stream when the consumer stops early", async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull: (c) => c.enqueue(new Uint8Array(100)),
      cancel: () => {
        cancelled = true;
      },
    });
    for await (const pdu of dataSetPdus(stream, {
      skip: 0,
      length: 1000,
      contextId: 1,
      maxFragment: 64,
    })) {
      expect(pdu.length).toBeGreaterThan(0);
      break;
    }
    expect(cancelled).toBe(true);
  });
});

describe("command fragmentation", () => {
  it("a command set smaller than a fragment is one last command PDV", () => {
    const pdvs = commandPdus(new Uint8Array(90), 3, 1000).map(pdvOf);
    expect(pdvs).toEqual([{ contextId: 3, command: true, last: true, data: new Uint8Array(90) }]);
  });

  it("a command set larger than a fragment is split, last flag on the final piece only", () => {
    const command = Uint8Array.from({ length: 90 }, (_, i) => i);
    const pdvs = commandPdus(command, 3, 40).map(pdvOf);
    expect(pdvs.map((p) => [p.data.length, p.command, p.last])).toEqual([
      [40, true, false],
      [40, true, false],
      [10, true, true],
    ]);
    expect(concatBytes(pdvs.map((p) => p.data))).toEqual(command);
  });
});
