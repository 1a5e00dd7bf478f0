// The C-STORE client against real dcmtk peers (storescp, dcmqrscp) over real TCP, through
// node:net shaped like cloudflare:sockets. Each peer runs in its own network namespace, bridged to
// 127.0.0.1 (scripts/lib/storescp.mjs). Needs root; without it these tests fail and say why.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  startDcmqrscp,
  startStorescp,
  storescpUnavailableReason,
  type DicomPeerHandle,
} from "../../../scripts/lib/storescp.mjs";
import { storeInstances, type Connect, type CStoreConfig, type StoreSource } from "./cstore-client";
import { readInstanceInfo } from "./part10";
import { nodeConnect } from "./test-support/node-connect";
import { bytesSource, fixtureBytes, manifest, syntheticSource } from "./test-support/sources";
import { dataSetStart, onTheWire, written } from "./test-support/storescp-output";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "relaypacs-cstore-"));
const peers: DicomPeerHandle[] = [];

async function storescp(name: string, args: string[] = []) {
  const stateDir = path.join(tmp, name);
  const peer = await startStorescp({ outputDir: path.join(stateDir, "out"), stateDir, args });
  peers.push(peer);
  return peer;
}

function settings(peer: DicomPeerHandle, extra: Partial<CStoreConfig> = {}): CStoreConfig {
  const { host, port, aeTitle } = peer;
  return {
    host,
    port,
    callingAeTitle: "RELAYPACS",
    calledAeTitle: aeTitle,
    timeoutMs: 15_000,
    ...extra,
  };
}

beforeAll(() => {
  const why = storescpUnavailableReason();
  if (why)
    throw new Error(`These tests run the SCU against a real storescp and cannot here: ${why}.`);
});

afterAll(async () => {
  await Promise.all(peers.map((p) => p.stop()));
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Fixtures storescp must store, across SOP classes and transfer syntaxes (see MANIFEST.tsv). */
const STORABLE = [
  "transfer_syntax/explicit_vr_le/CT_small.dcm",
  "transfer_syntax/explicit_vr_le/MR_small.dcm",
  "transfer_syntax/implicit_vr_le/MR_small_implicit.dcm",
  "transfer_syntax/explicit_vr_be/MR_small_bigendian.dcm",
  "transfer_syntax/explicit_vr_be/SC_rgb_small_odd_big_endian.dcm",
  "transfer_syntax/deflated/image_dfl.dcm",
  "transfer_syntax/deflated/report_dfl",
  "transfer_syntax/rle/SC_rgb_rle.dcm",
  "no_preamble/ExplVR_LitEndNoMeta.dcm",
  "no_preamble/ExplVR_BigEndNoMeta.dcm",
  "no_preamble/rtstruct.dcm",
  "charset/chrFren.dcm",
  "charset/chrX1.dcm",
  "charset/chrH31.dcm",
  "charset/chrRuss.dcm",
  "multiframe/rtdose.dcm",
  "non_image/sr/reportsi.dcm",
];
/** Fixtures that must fail, each for its own plain reason. */
const NOT_STORABLE: Array<[string, string, RegExp]> = [
  [
    "dicomdir/pydicom_dicomdirtests/DICOMDIR",
    "context_rejected",
    /does not accept this kind of object: DICOMDIR/,
  ],
  [
    "edge_cases/hotiron.dcm",
    "context_rejected",
    /does not accept this kind of object: Color Palette/,
  ],
  ["no_preamble/JLSN_RGB_ILV0.dcm", "missing_uids", /lacks the identifiers/],
  [
    "edge_cases/meta_missing_tsyntax.dcm",
    "missing_transfer_syntax",
    /does not say how its contents are encoded/,
  ],
  ["broken/no_meta.dcm", "not_dicom", /not a DICOM object/],
];

describe("C-STORE to a real storescp", () => {
  it("stores every fixture, several SOP classes and transfer syntaxes in one association, byte-identical", async () => {
    const peer = await storescp("fixtures");
    const rows = new Map(manifest().map((r) => [r.path, r]));
    const paths = [...STORABLE, ...NOT_STORABLE.map(([p]) => p)];
    const sources = paths.map((p, i) => bytesSource(i, fixtureBytes(p), 1000 + i * 97));
    const outcomes = await storeInstances(settings(peer), sources, nodeConnect);
    const files = written(peer.outputDir);
    expect(files.size).toBe(STORABLE.length);
    for (const [i, p] of STORABLE.entries()) {
      const row = rows.get(p);
      expect(outcomes[i], p).toMatchObject({
        fileIndex: i,
        status: "stored",
        code: "0000",
        sopInstanceUid: row?.sopInstanceUid,
      });
      const source = fixtureBytes(p);
      const info = readInstanceInfo(source, source.length);
      const key =
        info.kind === "ok" ? `${info.info.sopInstanceUid}|${info.info.transferSyntaxUid}` : "?";
      expect(files.get(key), p).toEqual([onTheWire(source.subarray(dataSetStart(source)))]);
    }
    for (const [j, [p, code, words]] of NOT_STORABLE.entries()) {
      expect(outcomes[STORABLE.length + j], p).toMatchObject({
        status: "failed",
        code,
        reason: expect.stringMatching(words),
      });
    }
    // One association carried them all: storescp logs each association it acknowledges.
    expect(fs.readFileSync(peer.logFile, "utf8").match(/Association Acknowledged/g)).toHaveLength(
      1,
    );
  });

  it("a presentation context storescp rejects (+xi: Implicit VR LE only) fails those files alone", async () => {
    const peer = await storescp("implicit-only", ["+xi"]);
    const paths = [
      "transfer_syntax/explicit_vr_le/CT_small.dcm",
      "transfer_syntax/implicit_vr_le/MR_small_implicit.dcm",
      "transfer_syntax/rle/SC_rgb_rle.dcm",
    ];
    const outcomes = await storeInstances(
      settings(peer),
      paths.map((p, i) => bytesSource(i, fixtureBytes(p))),
      nodeConnect,
    );
    expect(outcomes.map((o) => [o.status, o.code])).toEqual([
      ["failed", "context_rejected"],
      ["stored", "0000"],
      ["failed", "context_rejected"],
    ]);
    expect(outcomes[0]?.reason).toMatch(
      /cannot accept this image's encoding: Explicit VR Little Endian/,
    );
    expect(outcomes[2]?.reason).toMatch(/cannot accept this image's encoding: RLE Lossless/);
    expect(fs.readdirSync(peer.outputDir)).toHaveLength(1);
  });

  it("a peer refusing the called AE title (dcmqrscp) fails every file with a plain reason; the right title stores", async () => {
    const stateDir = path.join(tmp, "qr");
    const peer = await startDcmqrscp({
      dbDir: path.join(stateDir, "db"),
      stateDir,
      aeTitle: "ARCHIVE",
    });
    peers.push(peer);
    const sources = () => [
      bytesSource(0, fixtureBytes("transfer_syntax/explicit_vr_le/MR_small.dcm")),
      bytesSource(1, fixtureBytes("charset/chrFren.dcm")),
    ];
    const refused = await storeInstances(
      settings(peer, { calledAeTitle: "NOT-ARCHIVE" }),
      sources(),
      nodeConnect,
    );
    for (const outcome of refused) {
      expect(outcome).toMatchObject({
        status: "failed",
        code: "association_rejected",
        retryable: false,
      });
      expect(outcome.reason).toMatch(/does not answer to the AE title "NOT-ARCHIVE"/);
    }
    const accepted = await storeInstances(settings(peer), sources(), nodeConnect);
    expect(accepted.map((o) => o.status)).toEqual(["stored", "stored"]);
  });

  it("storescp aborting during each C-STORE (--abort-during) fails each file plainly, one new association each", async () => {
    const peer = await storescp("abort-during", ["--abort-during"]);
    const sources = ["transfer_syntax/explicit_vr_le/CT_small.dcm", "charset/chrRuss.dcm"].map(
      (p, i) => bytesSource(i, fixtureBytes(p)),
    );
    const outcomes = await storeInstances(settings(peer), sources, nodeConnect);
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ status: "failed", code: "aborted", retryable: true });
      expect(outcome.reason).toMatch(/The PACS broke off the connection/);
    }
    const log = fs.readFileSync(peer.logFile, "utf8");
    expect(log.match(/Association Acknowledged/g)).toHaveLength(2);
    expect(log.match(/ABORT initiated/g)?.length).toBeGreaterThanOrEqual(2);
  });

  it("the PACS process dying mid-transfer (connection closed) fails the file in flight and the rest plainly", async () => {
    const peer = await storescp("dies", ["--sleep-during", "30"]);
    const big = syntheticSource({
      fileIndex: 0,
      sopInstanceUid: "2.25.4242",
      pixelBytes: 8 * 1024 * 1024,
    });
    const rest = bytesSource(1, fixtureBytes("charset/chrX1.dcm"));
    const storing = storeInstances(settings(peer), [big, rest], nodeConnect);
    const log = () => fs.readFileSync(peer.logFile, "utf8");
    while (!log().includes("Received Store Request")) await new Promise((r) => setTimeout(r, 50));
    // storescp sleeps mid-store: kill it and the bridge closes the connection. Socket buffers may
    // hold the rest of the file by then, so the client may be sending or awaiting the response.
    await peer.stop();
    const outcomes = await storing;
    expect(outcomes[0]).toMatchObject({
      status: "failed",
      code: "connection_lost",
      retryable: true,
    });
    expect(outcomes[0]?.reason).toMatch(
      /connection to the PACS closed while RelayPACS was (sending|waiting for the PACS to confirm) this image/,
    );
    expect(outcomes[1]).toMatchObject({ status: "failed", retryable: true });
    expect(outcomes[1]?.reason).toMatch(/could not connect|closed/);
  });

  it("a 24 MiB file streams through 16 KiB PDUs, never buffered whole, and arrives byte-identical", async () => {
    const peer = await storescp("large", ["-pdu", "16384"]);
    const size = 24 * 1024 * 1024;
    const source = syntheticSource({
      fileIndex: 0,
      sopInstanceUid: "2.25.2424",
      pixelBytes: size,
      chunkSize: 64 * 1024,
    });
    let pulled = 0;
    let written = 0;
    let maxAhead = 0;
    const pdus: number[] = [];
    const counting: StoreSource = {
      ...source,
      open: async () =>
        (await source.open()).pipeThrough(
          new TransformStream({
            transform: (c: Uint8Array, out) => ((pulled += c.length), out.enqueue(c)),
          }),
        ),
    };
    const spy: Connect = (address) => {
      const socket = nodeConnect(address);
      const writer = socket.writable.getWriter();
      const writable = new WritableStream<Uint8Array>({
        write: async (chunk: Uint8Array) => {
          if (chunk[0] === 0x04)
            pdus.push(new DataView(chunk.buffer, chunk.byteOffset).getUint32(2));
          written += chunk.length;
          maxAhead = Math.max(maxAhead, pulled - written);
          await writer.write(chunk);
        },
      });
      return { ...socket, writable, readable: socket.readable, close: () => socket.close() };
    };
    const [outcome] = await storeInstances(settings(peer), [counting], spy);
    expect(outcome).toMatchObject({ status: "stored", code: "0000" });
    expect(pdus.every((n) => n <= 16384)).toBe(true);
    expect(pdus.length).toBeGreaterThan(size / 16384);
    // Reading runs at most a few stream chunks ahead of the socket: the file is streamed.
    expect(maxAhead).toBeLessThan(1024 * 1024);
    const [file] = fs.readdirSync(peer.outputDir);
    const stored = new Uint8Array(fs.readFileSync(path.join(peer.outputDir, file ?? "")));
    const original = new Uint8Array(await new Response(await source.open()).arrayBuffer());
    expect(
      Buffer.compare(
        stored.subarray(dataSetStart(stored)),
        original.subarray(source.dataSetOffset),
      ),
    ).toBe(0);
  });
});
