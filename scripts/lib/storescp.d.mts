// Types for storescp.mjs, so TypeScript tests can import it.

export interface DicomPeerHandle {
  /** Always 127.0.0.1: the peer itself lives in a private network namespace. */
  host: string;
  port: number;
  aeTitle: string;
  /** The network namespace's name (unique per start). */
  namespace: string;
  logFile: string;
  /** Stops the peer and the bridge, deletes the namespace and the unix socket. Idempotent. */
  stop(): Promise<void>;
}

export interface StorescpHandle extends DicomPeerHandle {
  outputDir: string;
}

/** Why this machine cannot run a private peer (not root, no ip/socat/dcmtk), or null. */
export declare function storescpUnavailableReason(): string | null;

export declare function startStorescp(options: {
  outputDir: string;
  stateDir: string;
  aeTitle?: string;
  args?: string[];
}): Promise<StorescpHandle>;

export declare function startDcmqrscp(options: {
  dbDir: string;
  stateDir: string;
  aeTitle?: string;
}): Promise<DicomPeerHandle>;

/** Orthanc with its DICOM port only (no HTTP server), called by `aeTitle` (default ORTHANC). */
export declare function startOrthancDicom(options: {
  stateDir: string;
  aeTitle?: string;
}): Promise<DicomPeerHandle>;
