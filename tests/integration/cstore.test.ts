// The C-STORE client inside workerd, with the runtime's own `connect()` from cloudflare:sockets,
// against a real storescp (started by cstore-global-setup.ts, bridged to 127.0.0.1). What storescp
// wrote comes back over a loopback HTTP listing and is compared byte for byte.
import { connect } from "cloudflare:sockets";
import { describe, expect, inject, it } from "vitest";
import { storeInstances } from "../../worker/forward/dimse/cstore-client";
import { readInstanceInfo } from "../../worker/forward/dimse/part10";
import { syntheticSource } from "../../worker/forward/dimse/test-support/synthetic";
import type { StoreSource } from "../../worker/forward/dimse/types";
import { fixture } from "./helpers";

const FILES = [
  "dicom/transfer_syntax/explicit_vr_le/CT_small.dcm",
  "dicom/transfer_syntax/implicit_vr_le/MR_small_implicit.dcm",
  "dicom/transfer_syntax/explicit_vr_be/SC_rgb_small_odd_big_endian.dcm",
  "dicom/transfer_syntax/deflated/image_dfl.dcm",
  "dicom/transfer_syntax/rle/SC_rgb_rle.dcm",
  "dicom/multiframe/rtdose.dcm",
  "dicom/non_image/sr/reportsi.dcm",
];

function source(fileIndex: number, bytes: Uint8Array): StoreSource {
  // Small chunks, like an R2 body arriving over the network.
  const open = () =>
    Promise.resolve(
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < bytes.length; at += 4096)
            controller.enqueue(bytes.slice(at, at + 4096));
          controller.close();
        },
      }),
    );
  return { fileIndex, size: bytes.length, open };
}

function dataSet(bytes: Uint8Array): { key: string; dataSet: Uint8Array } {
  const result = readInstanceInfo(bytes, bytes.length);
  if (result.kind !== "ok") throw new Error(`not readable: ${result.kind}`);
  const { sopInstanceUid, transferSyntaxUid, dataSetOffset } = result.info;
  return { key: `${sopInstanceUid}|${transferSyntaxUid}`, dataSet: bytes.subarray(dataSetOffset) };
}

async function digest(bytes: Uint8Array): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...hash].map((b) => b.toString(16).padStart(2, "0")).join("");
}

describe("C-STORE from inside workerd (cloudflare:sockets connect)", () => {
  it("stores fixtures of several SOP classes and transfer syntaxes in a real storescp, byte-identical", async () => {
    const peer = inject("cstorePeer");
    if (!peer.ok) throw new Error(`storescp could not be started for this test: ${peer.error}`);
    const bytes = FILES.map((f) => fixture(f));
    const outcomes = await storeInstances(
      {
        host: peer.host,
        port: peer.port,
        callingAeTitle: "RELAYPACS",
        calledAeTitle: peer.aeTitle,
        timeoutMs: 15_000,
      },
      bytes.map((b, i) => source(i, b)),
      connect,
    );
    expect(outcomes.map((o) => [o.fileIndex, o.status, o.code])).toEqual(
      FILES.map((_, i) => [i, "stored", "0000"]),
    );

    const listing = await (await fetch(peer.filesUrl)).json<unknown>();
    if (!Array.isArray(listing)) throw new Error("the files listing is not an array");
    const stored = new Map(
      listing
        .map((b64) => dataSet(Uint8Array.from(atob(String(b64)), (c) => c.charCodeAt(0))))
        .map((d) => [d.key, d.dataSet]),
    );
    for (const [i, file] of FILES.entries()) {
      const sent = dataSet(bytes[i] ?? new Uint8Array());
      const wire = sent.dataSet.length % 2 ? new Uint8Array([...sent.dataSet, 0]) : sent.dataSet;
      expect(stored.get(sent.key), file).toEqual(wire);
    }
  });

  it("streams an 8 MiB file through storescp's 16 KiB PDUs from inside workerd, byte-identical", async () => {
    const peer = inject("cstorePeer");
    if (!peer.ok) throw new Error(`storescp could not be started for this test: ${peer.error}`);
    const big = syntheticSource({
      fileIndex: 0,
      sopInstanceUid: "2.25.8888",
      pixelBytes: 8 * 1024 * 1024,
    });
    const outcomes = await storeInstances(
      {
        host: peer.host,
        port: peer.port,
        callingAeTitle: "RELAYPACS",
        calledAeTitle: peer.aeTitle,
        timeoutMs: 30_000,
      },
      [big],
      connect,
    );
    expect(outcomes[0]).toMatchObject({
      status: "stored",
      code: "0000",
      sopInstanceUid: "2.25.8888",
    });
    const listing = await (await fetch(peer.filesUrl)).json<unknown>();
    if (!Array.isArray(listing)) throw new Error("the files listing is not an array");
    const original = new Uint8Array(await new Response(await big.open()).arrayBuffer());
    const expected = await digest(original.subarray(big.dataSetOffset));
    const digests = await Promise.all(
      listing.map((b64) =>
        digest(dataSet(Uint8Array.from(atob(String(b64)), (c) => c.charCodeAt(0))).dataSet),
      ),
    );
    expect(digests).toContain(expected);
  });

  it("an unreachable port fails every file with a plain reason, no exception", async () => {
    const peer = inject("cstorePeer");
    if (!peer.ok) throw new Error(`storescp could not be started for this test: ${peer.error}`);
    const outcomes = await storeInstances(
      {
        host: "127.0.0.1",
        port: 9,
        callingAeTitle: "RELAYPACS",
        calledAeTitle: "STORESCP",
        timeoutMs: 5000,
      },
      [source(0, fixture(FILES[0] ?? ""))],
      connect,
    );
    expect(outcomes[0]).toMatchObject({ status: "failed", retryable: true });
    expect(outcomes[0]?.reason).toMatch(
      /could not connect to the PACS at 127.0.0.1:9|connection to the PACS closed/,
    );
  });
});
