import { afterEach, describe, expect, it } from "vitest";
import { fixtureBytes } from "../../../tests/fixtures/intake/load";
import { entryFromBlob, entryFromBytes, type IntakeEntry } from "./entry";
import { headPool } from "./head-pool";
import { serveHeadRequests } from "./head-worker-core";
import { scanIntakeToEnd } from "./scan";

const ports: MessagePort[] = [];

/** `n` page/worker pairs over real MessageChannels (structured clone, transfer). */
function workers(n: number, onRequest?: (files: number) => void) {
  return Array.from({ length: n }, () => {
    const { port1, port2 } = new MessageChannel();
    ports.push(port1, port2);
    port1.start();
    port2.start();
    if (onRequest) {
      port2.addEventListener("message", (event: MessageEvent<{ files: Blob[] }>) =>
        onRequest(event.data.files.length),
      );
    }
    serveHeadRequests(port2);
    return port1;
  });
}

afterEach(() => {
  for (const port of ports.splice(0)) port.close();
});

const blobEntry = (path: string, bytes: Uint8Array) =>
  entryFromBlob(path, new Blob([new Uint8Array(bytes)]));

describe("headPool", () => {
  it("reads the first bytes of each file in workers, in batches, answers in order", async () => {
    const batches: number[] = [];
    const read = headPool(workers(2, (n) => batches.push(n)));
    const files = Array.from({ length: 40 }, (_, i) =>
      blobEntry(`f${i}`, new Uint8Array(100 + i).fill(i)),
    );
    const heads = await Promise.all(files.map((file) => read(file, 64)));
    expect(heads.map((h) => [h.bytes?.length, h.bytes?.[0], h.verdict])).toEqual(
      files.map((_, i) => [64, i, undefined]),
    );
    expect(batches.sort((a, b) => a - b)).toEqual([8, 16, 16]);
  });

  it("a file shorter than the slice comes back whole; in-memory entries are read in place", async () => {
    const read = headPool(workers(1));
    expect((await read(blobEntry("short", new Uint8Array(10)), 64)).bytes?.length).toBe(10);
    expect((await read(entryFromBytes("mem", new Uint8Array(100)), 64)).bytes?.length).toBe(64);
  });

  it("a DICOM file's header is parsed in the worker, reading past the slice when it must", async () => {
    const ct = fixtureBytes("root", "transfer_syntax/explicit_vr_le/CT_small.dcm");
    const head = await headPool(workers(1))(blobEntry("ct.dcm", ct), 1024);
    expect(head.bytes?.length).toBe(1024);
    expect(head.verdict).toMatchObject({
      kind: "dicom",
      header: { patientName: "CompressedSamples^CT1", modality: "CT" },
    });
  });

  it("a scan through the pool finds what a scan in place finds", async () => {
    const ct = fixtureBytes("root", "transfer_syntax/explicit_vr_le/CT_small.dcm");
    const mr = fixtureBytes("root", "transfer_syntax/explicit_vr_le/MR_small.dcm");
    const picked = (): IntakeEntry[] => [blobEntry("ct.dcm", ct), blobEntry("mr.dcm", mr)];
    const here = await scanIntakeToEnd(picked());
    const there = await scanIntakeToEnd(picked(), { readHead: headPool(workers(2)) });
    const ids = (r: typeof here) => r.studies.map((s) => [s.studyInstanceUid, s.instanceCount]);
    expect(ids(there)).toEqual(ids(here));
    expect(there.studies).toHaveLength(2);
  });
});
