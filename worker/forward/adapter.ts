// One interface for every way of handing instances to a PACS (STOW-RS, Orthanc REST, C-STORE):
// store a batch and say what happened to each instance, and, where the PACS can be asked,
// confirm which instances it now holds.
import type { Failure, InstanceOutcome } from "../contract";

export interface ForwardInstance {
  index: number;
  size: number;
  sopInstanceUid: string;
  studyInstanceUid: string;
  /** The file's bytes, streamed from R2 (never whole in memory). */
  open(): Promise<ReadableStream<Uint8Array>>;
}

export interface InstanceResult {
  index: number;
  outcome: InstanceOutcome;
}

export type StoreResult =
  /** The PACS answered for the batch; `results` may be partial (then retry the rest). */
  | { kind: "answered"; results: InstanceResult[]; failure?: Failure }
  /** The request was too large for the PACS (or a proxy before it): split and send again. */
  | { kind: "too_large" }
  /** Nothing is known about any instance of the batch (network, timeout, 5xx, auth...). */
  | { kind: "failure"; failure: Failure; message: string };

export type ConfirmResult =
  | { kind: "checked"; present: Set<string> }
  | { kind: "failure"; failure: Failure }
  /**
   * This PACS cannot be asked at all (e.g. it does not answer C-FIND): asking again cannot help,
   * so the consumer records these outcomes (failed, with words for the administrator) and ends the
   * forward instead of retrying. A re-drive sends them again once confirmation is turned off.
   */
  | { kind: "unconfirmable"; results: InstanceResult[] };

export interface PacsAdapter {
  store(batch: ForwardInstance[]): Promise<StoreResult>;
  /** The SOP Instance UIDs among `instances` that the PACS holds now. */
  confirm?(instances: ForwardInstance[]): Promise<ConfirmResult>;
}

/** A fetch failure as the retry policy sees it. */
export function fetchFailure(error: unknown): Failure {
  return error instanceof DOMException && error.name === "TimeoutError"
    ? { kind: "timeout" }
    : { kind: "network" };
}

/** A body of exactly `size` bytes: the runtime sends Content-Length, never chunked encoding. */
export function fixedLength(
  stream: ReadableStream<Uint8Array>,
  size: number,
): { body: ReadableStream<Uint8Array>; piping: Promise<void> } {
  const fixed = new FixedLengthStream(size);
  const piping = stream.pipeTo(fixed.writable).catch(() => undefined);
  return { body: fixed.readable, piping };
}
