// One STOW-RS request to the configured PACS: streamed multipart body with a known length,
// basic or bearer auth, a timeout, and the response parsed per PS3.18.
import { stowFraming, writeStowBody } from "./stow-body";
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
  const { boundary, contentLength, contentType } = stowFraming(instances);
  // A FixedLengthStream makes the runtime send Content-Length instead of chunked encoding:
  // some PACS front-ends refuse chunked uploads.
  const fixed = new FixedLengthStream(contentLength);
  // Stopped once the PACS has answered (or the request failed): a PACS may answer without
  // reading the whole body, and nothing would ever take the rest.
  const stop = new AbortController();
  // A body that cannot be written (a file unreadable in R2) ends the request at once, instead of
  // leaving the PACS waiting for bytes until the timeout.
  const bodyFailed = new AbortController();
  const piping = writeStowBody(fixed.writable, instances, boundary, stop.signal).catch(
    (error: unknown) => bodyFailed.abort(error),
  );
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
      signal: AbortSignal.any([AbortSignal.timeout(pacs.timeoutMs), bodyFailed.signal]),
    });
    const text = await response.text();
    stop.abort();
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
    stop.abort();
    const timeout = error instanceof DOMException && error.name === "TimeoutError";
    return { kind: "failure", failure: timeout ? { kind: "timeout" } : { kind: "network" } };
  }
}
