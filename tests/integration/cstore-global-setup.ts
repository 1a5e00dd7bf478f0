// Vitest global setup (runs in Node, not in workerd): a real storescp for tests/integration/
// cstore.test.ts, private in its own network namespace and bridged to 127.0.0.1, plus a tiny
// loopback HTTP server listing what storescp wrote, since the workerd isolate has no file system.
// Also an Orthanc with its DICOM port (connection-test.test.ts: a C-ECHO to a real PACS).
// Never throws: when storescp cannot run here (not root, dcmtk missing) it provides the reason,
// so only the C-STORE test fails and the other integration tests run as usual.
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import {
  startOrthancDicom,
  startStorescp,
  type DicomPeerHandle,
  type StorescpHandle,
} from "../../scripts/lib/storescp.mjs";

export type CStorePeer =
  | { ok: true; host: string; port: number; aeTitle: string; filesUrl: string }
  | { ok: false; error: string };

export type DicomPeer =
  { ok: true; host: string; port: number; aeTitle: string } | { ok: false; error: string };

declare module "vitest" {
  export interface ProvidedContext {
    cstorePeer: CStorePeer;
    orthancDicomPeer: DicomPeer;
  }
}

function filesServer(outputDir: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.method !== "GET" || req.url !== "/files") {
      res.writeHead(404).end();
      return;
    }
    // Every file storescp wrote, base64: the fixtures are small.
    const files = fs
      .readdirSync(outputDir)
      .map((name) => fs.readFileSync(path.join(outputDir, name)).toString("base64"));
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(files));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "relaypacs-cstore-int-"));
  let peer: StorescpHandle | undefined;
  let server: http.Server | undefined;
  try {
    peer = await startStorescp({ outputDir: path.join(tmp, "out"), stateDir: tmp });
    server = await filesServer(peer.outputDir);
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    project.provide("cstorePeer", {
      ok: true,
      host: peer.host,
      port: peer.port,
      aeTitle: peer.aeTitle,
      filesUrl: `http://127.0.0.1:${port}/files`,
    });
  } catch (error) {
    project.provide("cstorePeer", {
      ok: false,
      error: error instanceof Error ? error.message : String(error),
    });
  }
  let orthanc: DicomPeerHandle | undefined;
  try {
    orthanc = await startOrthancDicom({ stateDir: path.join(tmp, "orthanc") });
    project.provide("orthancDicomPeer", {
      ok: true,
      host: orthanc.host,
      port: orthanc.port,
      aeTitle: orthanc.aeTitle,
    });
  } catch (error) {
    project.provide("orthancDicomPeer", {
      ok: false,
      error: error instanceof Error ? error.message : String(error),
    });
  }
  return async () => {
    server?.close();
    await peer?.stop();
    await orthanc?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  };
}
