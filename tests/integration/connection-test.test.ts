// "Test connection" inside workerd against real peers: the DICOMweb plugin and the REST API of
// the test Orthanc, an Orthanc DICOM port and a storescp (C-ECHO, and C-FIND when receipt is to be
// confirmed, through cloudflare:sockets),
// a port where nothing listens, wrong credentials, a web server that is not DICOMweb, and (from
// FakePacs, which delays answers) a PACS too slow to answer. Through the admin route, and the
// check itself where the route's fixed timeout would make the test slow.
import { connect } from "cloudflare:sockets";
import { env } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import {
  AuditPage,
  ConnectionTestResult,
  ErrorBody,
  type DestinationConfig,
} from "../../worker/contract";
import { testConnection } from "../../worker/forward/connection-test";
import { adminOfNewClinic, api, createUser, signIn } from "./helpers";

const orthancAuth = {
  kind: "basic",
  username: env.PACS_USERNAME ?? "",
  passwordSecret: "PACS_PASSWORD",
} as const;

/** A clinic whose destination is `config`; resolves with its admin's token. */
async function clinicWith(config: Record<string, unknown>): Promise<string> {
  const { session } = await adminOfNewClinic();
  const put = await api("/api/admin/destination", {
    method: "PUT",
    token: session.accessToken,
    body: config,
  });
  expect(put.status, await put.clone().text()).toBe(200);
  return session.accessToken;
}

async function testVia(token: string): Promise<ConnectionTestResult> {
  const res = await api("/api/admin/destination/test", { method: "POST", token });
  expect(res.status, await res.clone().text()).toBe(200);
  return ConnectionTestResult.parse(await res.json());
}

function cstore(peer: { host: string; port: number }, calledAeTitle: string) {
  return {
    name: "C-STORE PACS",
    adapter: "c-store",
    url: `${peer.host}:${peer.port}`,
    calledAeTitle,
    callingAeTitle: "RELAYPACS",
  };
}

describe("test connection (admin route)", () => {
  it("a DICOMweb PACS (Orthanc's plugin) answers a QIDO-RS query: reachable", async () => {
    if (!env.ORTHANC_URL) throw new Error("ORTHANC_URL is not set: run via scripts/test.mjs");
    const token = await clinicWith({
      name: "Orthanc DICOMweb",
      adapter: "stow-rs",
      url: `${env.ORTHANC_URL}/dicom-web`,
      auth: orthancAuth,
    });
    const result = await testVia(token);
    expect(result).toMatchObject({ ok: true, verdict: "reachable", method: "qido-rs" });
    expect(result.message).toContain("answered a DICOMweb query");
  });

  it("Orthanc's REST API answers /system: reachable", async () => {
    const token = await clinicWith({
      name: "Orthanc REST",
      adapter: "orthanc-rest",
      url: env.ORTHANC_URL,
      auth: orthancAuth,
    });
    expect(await testVia(token)).toMatchObject({
      ok: true,
      verdict: "reachable",
      method: "orthanc-system",
    });
  });

  it("wrong credentials: auth rejected, in plain words", async () => {
    const token = await clinicWith({
      name: "Orthanc, wrong user",
      adapter: "stow-rs",
      url: `${env.ORTHANC_URL}/dicom-web`,
      auth: { ...orthancAuth, username: "nobody-here" },
    });
    const result = await testVia(token);
    expect(result).toMatchObject({ ok: false, verdict: "auth_rejected" });
    expect(result.message).toMatch(/refused RelayPACS's credentials \(HTTP 401\)/);
  });

  it("a web server that is not a DICOMweb root: not a DICOMweb endpoint", async () => {
    // Orthanc's own root answers /studies with its REST API's JSON, not DICOM JSON.
    const token = await clinicWith({
      name: "Orthanc root as DICOMweb",
      adapter: "stow-rs",
      url: env.ORTHANC_URL,
      auth: orthancAuth,
    });
    const result = await testVia(token);
    expect(result).toMatchObject({ ok: false, verdict: "not_dicomweb" });
    expect(result.message).toContain("DICOMweb root");
  });

  it("a port where nothing listens: refused, for DICOMweb and for C-STORE", async () => {
    const web = await clinicWith({
      name: "Nothing there",
      adapter: "stow-rs",
      url: "http://127.0.0.1:9/dicom-web",
    });
    expect(await testVia(web)).toMatchObject({ ok: false, verdict: "refused" });
    const dimse = await clinicWith(cstore({ host: "127.0.0.1", port: 9 }, "ANY-SCP"));
    const result = await testVia(dimse);
    expect(result).toMatchObject({ ok: false, verdict: "refused", method: "c-echo" });
    expect(result.message).toContain("Nothing accepted a connection at 127.0.0.1:9");
  });

  it("a real storescp answers a C-ECHO: reachable when receipt confirmation is off", async () => {
    const peer = inject("cstorePeer");
    if (!peer.ok) throw new Error(`storescp could not be started for this test: ${peer.error}`);
    const config = { ...cstore(peer, peer.aeTitle), confirmReceipt: false };
    const result = await testVia(await clinicWith(config));
    expect(result).toMatchObject({ ok: true, verdict: "reachable", method: "c-echo" });
    expect(result.message).toContain("answered a DICOM echo (C-ECHO)");
  });

  it("storescp with receipt confirmation on: not working, as it answers no queries (C-FIND)", async () => {
    const peer = inject("cstorePeer");
    if (!peer.ok) throw new Error(`storescp could not be started for this test: ${peer.error}`);
    const result = await testVia(await clinicWith(cstore(peer, peer.aeTitle)));
    expect(result).toMatchObject({ ok: false, verdict: "error", method: "c-echo" });
    expect(result.message).toContain("does not answer queries (C-FIND)");
    expect(result.message).toContain("turn receipt confirmation off for this destination");
  });

  it("Orthanc's DICOM port answers a C-ECHO and a C-FIND, and refuses a wrong called AE title in plain words", async () => {
    const peer = inject("orthancDicomPeer");
    if (!peer.ok) throw new Error(`Orthanc (DICOM) could not be started: ${peer.error}`);
    const result = await testVia(await clinicWith(cstore(peer, peer.aeTitle)));
    expect(result).toMatchObject({ ok: true, verdict: "reachable" });
    expect(result.message).toContain("so RelayPACS can confirm receipt");
    const wrong = await testVia(await clinicWith(cstore(peer, "NOT-ORTHANC")));
    expect(wrong).toMatchObject({ ok: false, verdict: "association_rejected" });
    expect(wrong.message).toContain('does not answer to the AE title "NOT-ORTHANC"');
  });

  it("only an admin may test, and the test is in the audit log", async () => {
    const { admin, session } = await adminOfNewClinic();
    const uploader = await signIn(await createUser({ clinic: admin.clinic }));
    const refused = await api("/api/admin/destination/test", {
      method: "POST",
      token: uploader.accessToken,
    });
    expect(refused.status).toBe(403);
    expect(ErrorBody.parse(await refused.json()).error.code).toBe("forbidden");
    await testVia(session.accessToken);
    const audit = await api("/api/admin/audit?event=destination_tested", {
      token: session.accessToken,
    });
    expect(AuditPage.parse(await audit.json()).rows).toHaveLength(1);
  });
});

describe("test connection (the check itself)", () => {
  it("a PACS slower than the timeout: timed out", async () => {
    if (!env.FAKE_PACS_URL) throw new Error("FAKE_PACS_URL is not set: run via scripts/test.mjs");
    const config: DestinationConfig = {
      name: "Slow PACS",
      adapter: "stow-rs",
      url: `${env.FAKE_PACS_URL}/slow-3000/dicom-web`,
      auth: { kind: "none" },
      batchBytes: 50 * 1024 * 1024,
      batchInstances: 100,
      sopClassAllowList: [],
      confirmReceipt: true,
      timeoutSeconds: 120,
      callingAeTitle: "RELAYPACS",
      calledAeTitle: "ANY-SCP",
    };
    const result = await testConnection({ id: "slow", config }, connect, 500);
    expect(result).toMatchObject({ ok: false, verdict: "timed_out", method: "qido-rs" });
    expect(result.message).toContain("did not answer within");
  });
});
