// Types for orthanc.mjs, so the TypeScript test support can import it.
export declare const ORTHANC_BINARY: string;
export declare const DICOMWEB_PLUGIN: string;

export interface OrthancHandle {
  /** http://127.0.0.1:PORT, without a trailing slash; DICOMweb lives under `${url}/dicom-web`. */
  url: string;
  username: string;
  password: string;
  logFile: string;
  stop(): Promise<void>;
}

export declare function startOrthanc(options: {
  stateDir: string;
  httpPort?: number;
}): Promise<OrthancHandle>;
