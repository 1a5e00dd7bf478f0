// One STOW-RS request to the configured PACS: streamed multipart body with a known length,
// basic or bearer auth, a timeout, and the response parsed per PS3.18.
import { buildStowBody } from "./stow-body";
import { parseStowResponse, type StowResult } from "./stow-response";
import type { Failure } from "../contract";

export interface PacsConfig {
  baseUrl: string;
  authorization?: string;
  timeoutMs: number;
}

export interface StowInstance {
  size: number;
  sopInstanceUid: string;
  open: () => Promise<ReadableStream<Uint8Array>>;
}

export type StowAttempt =
  { kind: "response"; status: number; result: StowResult } | { kind: "failure"; failure: Failure };

export async function sendStow(pacs: PacsConfig, instances: StowInstance[]): Promise<StowAttempt> {
  const { body, contentLength, contentType } = buildStowBody(instances);
  // A FixedLengthStream makes the runtime send Content-Length instead of chunked encoding:
  // some PACS front-ends refuse chunked uploads.
  const fixed = new FixedLengthStream(contentLength);
  const piping = body.pipeTo(fixed.writable).catch(() => undefined);
  const headers: Record<string, string> = {
    "content-type": contentType,
    accept: "application/dicom+json",
  };
  if (pacs.authorization) headers.authorization = pacs.authorization;
  try {
    const response = await fetch(`${pacs.baseUrl}/studies`, {
      method: "POST",
      headers,
      body: fixed.readable,
      signal: AbortSignal.timeout(pacs.timeoutMs),
    });
    const text = await response.text();
    await piping;
    return {
      kind: "response",
      status: response.status,
      result: parseStowResponse(
        response.status,
        text,
        instances.map((i) => i.sopInstanceUid),
      ),
    };
  } catch (error) {
    const timeout = error instanceof DOMException && error.name === "TimeoutError";
    return { kind: "failure", failure: timeout ? { kind: "timeout" } : { kind: "network" } };
  }
}
