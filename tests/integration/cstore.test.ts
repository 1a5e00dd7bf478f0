// The C-STORE client inside workerd, with the runtime's own `connect()` from cloudflare:sockets,
// against a real storescp (started by cstore-global-setup.ts, bridged to 127.0.0.1). What storescp
// wrote comes back over a loopback HTTP listing and is compared byte for byte. Then receipt
// confirmation by C-FIND: against Orthanc's DICOM port, and against storescp, which has no C-FIND.
import { connect } from "cloudflare:sockets";
import { describe, expect, inject, it } from "vitest";
import type { DestinationConfig } from "../../worker/contract";
import type { ForwardInstance } from "../../worker/forward/adapter";
import { cstoreAdapter } from "../../worker/forward/dimse/cstore-adapter";
import { storeInstances } from "../../worker/forward/dimse/cstore-client";
import { readInstanceInfo } from "../../worker/forward/dimse/part10";
import { syntheticSource } from "../../worker/forward/dimse/test-support/synthetic";
import type { StoreSource } from "../../worker/forward/dimse/types";
import {
  api,
  complete,
  createUser,
  fixture,
  initUpload,
  login,
  sendAll,
  waitForState,
  type LocalFile,
} from "./helpers";

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

/** A C-STORE destination for `peer`; everything but the address and AE titles at defaults. */
function destinationFor(
  peer: { host: string; port: number; aeTitle: string },
  callingAeTitle = "RELAYPACS",
): { id: string; config: DestinationConfig } {
  return {
    id: "cfind-test",
    config: {
      name: "Test PACS",
      adapter: "c-store",
      url: `${peer.host}:${peer.port}`,
      auth: { kind: "none" },
      batchBytes: 50 * 1024 * 1024,
      batchInstances: 100,
      sopClassAllowList: [],
      confirmReceipt: true,
      timeoutSeconds: 15,
      callingAeTitle,
      calledAeTitle: peer.aeTitle,
    },
  };
}

/** Fixtures as the consumer hands them to an adapter: UIDs read from their headers. */
function forwardInstances(paths: string[]): ForwardInstance[] {
  return paths.map((path, index) => {
    const bytes = fixture(path);
    const info = readInstanceInfo(bytes, bytes.length);
    if (info.kind !== "ok") throw new Error(`not readable: ${path}`);
    const study = studyUid(bytes);
    return {
      ...source(index, bytes),
      index,
      sopInstanceUid: info.info.sopInstanceUid,
      studyInstanceUid: study,
    };
  });
}

/** (0020,000D) of a Little Endian fixture, found by its tag bytes: enough for these fixtures. */
function studyUid(bytes: Uint8Array): string {
  for (let at = 132; at + 8 < bytes.length; at += 1) {
    if (bytes[at] !== 0x20 || bytes[at + 1] !== 0 || bytes[at + 2] !== 0x0d || bytes[at + 3] !== 0)
      continue;
    const explicit = bytes[at + 4] === 0x55 && bytes[at + 5] === 0x49; // "UI"
    const length = explicit
      ? bytes[at + 6]! | (bytes[at + 7]! << 8)
      : bytes[at + 4]! | (bytes[at + 5]! << 8);
    const value = bytes.subarray(at + 8, at + 8 + length);
    return String.fromCharCode(...value).replace(/[\0 ]+$/, "");
  }
  throw new Error("no Study Instance UID");
}

const CONFIRM_FILES = [
  "dicom/transfer_syntax/explicit_vr_le/CT_small.dcm",
  "dicom/transfer_syntax/implicit_vr_le/MR_small_implicit.dcm",
];

describe("receipt confirmation by C-FIND from inside workerd", () => {
  it("against Orthanc: the instances just stored are found, a UID it never received is absent", async () => {
    const peer = inject("orthancDicomPeer");
    if (!peer.ok) throw new Error(`Orthanc could not be started for this test: ${peer.error}`);
    const adapter = cstoreAdapter(destinationFor(peer), connect);
    const instances = forwardInstances(CONFIRM_FILES);
    const stored = await adapter.store(instances);
    expect(stored).toMatchObject({ kind: "answered" });
    const missing = { ...instances[0]!, index: 9, sopInstanceUid: "2.25.404404404404" };
    const result = await adapter.confirm?.([...instances, missing]);
    expect(result).toEqual({
      kind: "checked",
      present: new Set(instances.map((i) => i.sopInstanceUid)),
    });
  });

  it("against Orthanc from an AE title it does not allow to query: plain words, no retry", async () => {
    const peer = inject("orthancDicomPeer");
    if (!peer.ok) throw new Error(`Orthanc could not be started for this test: ${peer.error}`);
    const adapter = cstoreAdapter(destinationFor(peer, "STRANGER"), connect);
    const result = await adapter.confirm?.(forwardInstances(CONFIRM_FILES.slice(0, 1)));
    expect(result?.kind).toBe("unconfirmable");
    if (result?.kind !== "unconfirmable") return;
    expect(result.results[0]?.outcome).toMatchObject({ status: "failed", code: "confirm_refused" });
    expect(result.results[0]?.outcome.message).toContain(
      'allow queries from RelayPACS (AE title "STRANGER")',
    );
  });

  it("against storescp (no C-FIND): confirm() says so in plain words instead of failing to retry", async () => {
    const peer = inject("cstorePeer");
    if (!peer.ok) throw new Error(`storescp could not be started for this test: ${peer.error}`);
    const adapter = cstoreAdapter(destinationFor(peer), connect);
    const result = await adapter.confirm?.(forwardInstances(CONFIRM_FILES.slice(0, 1)));
    expect(result?.kind).toBe("unconfirmable");
    if (result?.kind !== "unconfirmable") return;
    expect(result.results[0]?.outcome).toMatchObject({
      status: "failed",
      code: "confirm_unsupported",
    });
  });

  it("a session to storescp with confirmation on ends at once, each file saying to turn confirmation off", async () => {
    const peer = inject("cstorePeer");
    if (!peer.ok) throw new Error(`storescp could not be started for this test: ${peer.error}`);
    const clinic = `clinic-${crypto.randomUUID().slice(0, 8)}`;
    const adminToken = await login(await createUser({ clinic, role: "admin" }));
    const uploaderToken = await login(await createUser({ clinic }));
    const put = await api("/api/admin/destination", {
      method: "PUT",
      token: adminToken,
      body: destinationFor(peer).config,
    });
    expect(put.status, await put.clone().text()).toBe(200);
    const files: LocalFile[] = [
      { name: "ct.dcm", bytes: fixture(CONFIRM_FILES[0]!) },
      { name: "mr.dcm", bytes: fixture(CONFIRM_FILES[1]!) },
    ];
    const s = await initUpload(uploaderToken, files);
    await sendAll(s, files, 256 * 1024);
    expect((await complete(s)).status).toBe(200);
    // Any retry would pass through "queued" for at least RETRY_BASE_SECONDS; it ends in one go.
    const done = await waitForState(s, ["delivered", "failed", "partially_delivered"], 30_000);
    expect(done.state).toBe("failed");
    for (const f of done.files) {
      expect(f.outcome).toMatchObject({ status: "failed", code: "confirm_unsupported" });
      expect(f.outcome?.message).toBe(
        "The PACS said it stored this image. This PACS does not answer queries (C-FIND), so RelayPACS cannot confirm receipt. Ask your PACS administrator to enable queries for RelayPACS, or ask your administrator to turn receipt confirmation off for this destination.",
      );
    }
  });
});
