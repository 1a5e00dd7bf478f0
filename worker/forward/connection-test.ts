// "Test connection" for a destination: a C-ECHO for a C-STORE PACS (and, when receipt
// confirmation is on, a C-FIND for a UID nobody has, to learn whether the PACS answers queries),
// a one-result QIDO-RS query for a DICOMweb PACS, Orthanc's /system for Orthanc's REST API. Short
// timeout; the answer is a verdict and a sentence an admin can act on. Sends no patient data and
// stores nothing.
import type { ConnectionTestResult, ConnectionVerdict } from "../contract";
import type { ResolvedDestination } from "./destination";
import { findInstances } from "./dimse/cfind-client";
import { dimsePeer } from "./dimse/cstore-adapter";
import { cEcho, type EchoResult } from "./dimse/echo";
import { endingReason } from "./dimse/ending-reasons";
import type { Connect } from "./dimse/types";

/** Long enough for a PACS across the internet, short enough for an admin to wait for. */
export const TEST_TIMEOUT_MS = 8_000;

type Verdict = Pick<ConnectionTestResult, "ok" | "verdict" | "message">;

const verdict = (v: ConnectionVerdict, message: string): Verdict => ({
  ok: v === "reachable",
  verdict: v,
  message,
});

export async function testConnection(
  destination: ResolvedDestination,
  connect: Connect,
  timeoutMs = TEST_TIMEOUT_MS,
): Promise<ConnectionTestResult> {
  const started = Date.now();
  const config = destination.config;
  const method =
    config.adapter === "c-store"
      ? "c-echo"
      : config.adapter === "stow-rs"
        ? "qido-rs"
        : "orthanc-system";
  let result =
    config.adapter === "c-store"
      ? await echo(destination, connect, timeoutMs)
      : await httpPing(destination, timeoutMs);
  if (config.adapter === "c-store" && config.confirmReceipt && result.ok) {
    result = await withReceiptCheck(result, destination, connect, timeoutMs);
  }
  return { ...result, method, elapsedMs: Math.max(0, Date.now() - started) };
}

async function echo(
  destination: ResolvedDestination,
  connect: Connect,
  timeoutMs: number,
): Promise<Verdict> {
  const peer = dimsePeer(destination, timeoutMs);
  const { host, port } = peer;
  let result: EchoResult;
  try {
    result = await cEcho(peer, connect);
  } catch {
    return verdict("refused", `RelayPACS could not open a connection to ${host}:${port}.`);
  }
  switch (result.kind) {
    case "ok":
      return verdict(
        "reachable",
        `The PACS at ${host}:${port} answered a DICOM echo (C-ECHO) as "${peer.calledAeTitle}": it is reachable and accepts RelayPACS's AE title "${peer.callingAeTitle}".`,
      );
    case "status":
      return verdict(
        "error",
        `The PACS at ${host}:${port} accepted the connection but answered the DICOM echo with status ${result.status.toString(16).padStart(4, "0").toUpperCase()}. Ask your PACS administrator to check its logs.`,
      );
    case "no_verification":
      return verdict(
        "association_rejected",
        `The PACS at ${host}:${port} accepted the connection but not the DICOM echo (Verification service). It may still accept images; ask your PACS administrator to enable C-ECHO for RelayPACS.`,
      );
    case "ended": {
      const ending = result.ending;
      if (ending.kind === "connect_failed") {
        return verdict(
          "refused",
          `Nothing accepted a connection at ${host}:${port}. Check the host name and port, and that the PACS is running and lets this server connect.`,
        );
      }
      if (ending.kind === "timeout") {
        return verdict(
          "timed_out",
          `The PACS at ${host}:${port} did not answer within ${Math.round(timeoutMs / 1000)} seconds. Check the address and port, and any firewall between RelayPACS and the PACS.`,
        );
      }
      if (ending.kind === "rejected") {
        return verdict("association_rejected", endingReason(ending, peer).reason);
      }
      return verdict(
        "error",
        `The connection to ${host}:${port} opened, but the DICOM conversation failed (${ending.kind.replaceAll("_", " ")}). Check that this port is the PACS's DICOM port, not its web port.`,
      );
    }
  }
}

/**
 * Receipt confirmation on a C-STORE destination needs C-FIND: asks for one random UID (no
 * patient data; the PACS has nothing to match) and says whether the PACS answered. A PACS that
 * will not answer makes every forward end unconfirmed, so the destination is then not working.
 */
async function withReceiptCheck(
  echoed: Verdict,
  destination: ResolvedDestination,
  connect: Connect,
  timeoutMs: number,
): Promise<Verdict> {
  const peer = dimsePeer(destination, timeoutMs);
  const { host, port } = peer;
  const uid = `2.25.${BigInt(`0x${crypto.randomUUID().replaceAll("-", "")}`)}`;
  const found = await findInstances(
    peer,
    [{ studyInstanceUid: uid, sopInstanceUid: uid }],
    connect,
  );
  switch (found.kind) {
    case "found":
      return {
        ...echoed,
        message: `${echoed.message} It also answers queries (C-FIND), so RelayPACS can confirm receipt of what it sends.`,
      };
    case "unanswerable":
      return verdict(
        "error",
        `The PACS at ${host}:${port} answered a DICOM echo, but: ${found.reason}`,
      );
    case "retry":
      return {
        ...echoed,
        message: `${echoed.message} RelayPACS could not check just now whether it answers queries (C-FIND), which receipt confirmation needs: ${found.reason}`,
      };
  }
}

async function httpPing(destination: ResolvedDestination, timeoutMs: number): Promise<Verdict> {
  const config = destination.config;
  const base = config.url.replace(/\/+$/, "");
  const stow = config.adapter === "stow-rs";
  const url = stow ? `${base}/studies?limit=1&includefield=0020000D` : `${base}/system`;
  const headers: Record<string, string> = {
    accept: stow ? "application/dicom+json" : "application/json",
  };
  if (destination.authorization) headers.authorization = destination.authorization;
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    if (error instanceof DOMException && error.name === "TimeoutError") {
      return verdict(
        "timed_out",
        `${base} did not answer within ${Math.round(timeoutMs / 1000)} seconds. Check the address, and any firewall between RelayPACS and the PACS.`,
      );
    }
    return verdict(
      "refused",
      `RelayPACS could not connect to ${base}. Check the address (host name, port, http or https) and that the PACS is running.`,
    );
  }
  const body = await response.text().catch(() => "");
  if (response.status === 401 || response.status === 403) {
    return verdict(
      "auth_rejected",
      `${base} refused RelayPACS's credentials (HTTP ${response.status}). Check the user name and the password or token secret in this destination.`,
    );
  }
  const json = parseJson(body);
  if (stow) {
    // QIDO-RS answers a JSON array of matches, or 204 with nothing when there is none.
    // Orthanc's REST API also answers /studies with a JSON array (of ids): DICOMweb says so in
    // its media type, or returns DICOM JSON objects.
    const dicomJson = /application\/dicom\+json/i.test(response.headers.get("content-type") ?? "");
    const objects = Array.isArray(json) && json.length > 0 && json.every(isObject);
    if (response.status === 204 || (response.ok && Array.isArray(json) && (dicomJson || objects))) {
      return verdict(
        "reachable",
        `${base} answered a DICOMweb query (QIDO-RS): it is reachable and accepts RelayPACS's credentials.`,
      );
    }
  } else if (response.ok && isOrthancSystem(json)) {
    return verdict(
      "reachable",
      `${base} is an Orthanc server that accepts RelayPACS's credentials.`,
    );
  }
  if (response.status >= 500) {
    return verdict(
      "error",
      `${base} answered with a server error (HTTP ${response.status}). The PACS may be down or overloaded; try again later or ask your PACS administrator.`,
    );
  }
  return verdict(
    "not_dicomweb",
    stow
      ? `${base} answered (HTTP ${response.status}), but not as a DICOMweb server. Check that the address is the DICOMweb root (it often ends in /dicom-web or /dicomweb).`
      : `${base} answered (HTTP ${response.status}), but not as Orthanc's REST API. Check that the address is Orthanc's root (without /dicom-web).`,
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is object {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isOrthancSystem(json: unknown): boolean {
  return isObject(json) && "Version" in json && "ApiVersion" in json;
}
