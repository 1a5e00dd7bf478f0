// The public shapes of the C-STORE client: the injected socket factory (cloudflare:sockets'
// `connect` in the worker, a node:net wrapper in Node tests), the settings, the files to send and
// what happened to each.
import type { StoreStatus } from "./store-status";

/** The part of a cloudflare:sockets Socket the client uses. */
export interface DimseSocket {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
  /** Resolves once the TCP connection is up, rejects if it cannot be made. */
  opened?: Promise<unknown>;
  closed: Promise<void>;
  close(): Promise<void>;
}

export type Connect = (address: { hostname: string; port: number }) => DimseSocket;

export interface CStoreConfig {
  host: string;
  port: number;
  callingAeTitle: string;
  calledAeTitle: string;
  /** Limit for each wait: connecting, the association answer, each response, idle while sending. */
  timeoutMs: number;
  /** Largest P-DATA-TF RelayPACS accepts (announced in the association request). */
  maxReceivePduLength?: number;
  /** Cap on the P-DATA-TF RelayPACS sends, below the PACS's own limit; bounds memory per PDU. */
  maxSendPduLength?: number;
}

export interface StoreSource {
  /** The caller's id for the file; echoed in the outcome. */
  fileIndex: number;
  /** Size in bytes of the whole stored file (Part 10, with its preamble and file meta). */
  size: number;
  /** A fresh stream of the whole file from its first byte; may be called more than once. */
  open(): Promise<ReadableStream<Uint8Array>>;
}

export interface StoreOutcome {
  fileIndex: number;
  /** Empty when the file could not be read as DICOM. */
  sopInstanceUid: string;
  status: StoreStatus;
  /** A DIMSE status as 4 hex digits ("0000", "B000", "A700") or a RelayPACS code ("timeout"). */
  code: string;
  /** What happened and what to do, in plain words. */
  reason: string;
  /** Whether sending the same file again later, unchanged, may work. */
  retryable: boolean;
}
