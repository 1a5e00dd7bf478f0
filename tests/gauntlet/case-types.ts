// The shape of a gauntlet case. A case is one hostile or broken input, the layer it attacks, how
// to build it, and what the person must read in the end (a pattern on the real product string).
import type { Fixtures, PickedFile } from "./inputs";

export type Layer = "intake" | "protocol" | "forward";

/** Picked in the browser's Upload Study screen (tests/e2e/gauntlet.test.ts). */
export interface IntakeCase {
  id: string;
  layer: "intake";
  what: string;
  file: (fixtures: Fixtures) => PickedFile;
  /** Files the intake refuses, by the path it lists them under → the reason's code. */
  refused: Record<string, string>;
  /** DICOM files the intake reads from it; they are then sent, and the PACS answers. */
  sends: number;
  /** What the person reads: the reasons listed, then (if it sends) the upload's result. */
  message: RegExp;
}

/** One request (or a short exchange) against the worker's API (tests/integration/gauntlet.test.ts). */
export interface ProtocolCase {
  id: string;
  layer: "protocol";
  what: string;
  send: (api: ProtocolApi) => Promise<Response>;
  status: number;
  code: string;
  message: RegExp;
}

/** A file uploaded whole through the protocol, judged at complete and forwarded to the PACS. */
export interface ForwardCase {
  id: string;
  layer: "forward";
  what: string;
  file: (fixtures: Fixtures) => PickedFile;
  /** The verdict at complete: "accepted", or the refusal's code. */
  verdict: string;
  /** For an accepted file: what the PACS made of it. */
  outcome?: "stored" | "failed";
  /** The file's verdict message (refused) or the PACS's outcome message (accepted). */
  message: RegExp;
  /** Sent beside a good image in the same upload, which must still be stored. */
  besideGood?: boolean;
}

export type GauntletCase = IntakeCase | ProtocolCase | ForwardCase;

export interface UploadRef {
  sessionId: string;
  uploadToken: string;
}

/** What a protocol case may use; the integration runner provides it inside workerd. */
export interface ProtocolApi {
  /** A request to the worker, e.g. ("/api/uploads", { method: "POST", ... }). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** The signed-in uploader's access token, and the claims it carries. */
  accessToken: string;
  claims: { sub: string; clinic: string; role: "uploader" | "admin"; sid: string };
  /** The worker's real signing key, to mint tokens that are well signed but wrong otherwise. */
  secret: string;
  /** A new sign-in of the same uploader (its own sid), e.g. to sign it out. */
  freshAccessToken(): Promise<string>;
  /** Another user of another clinic. */
  strangerAccessToken: string;
  /** A fresh upload session of the uploader with files of these sizes (patterned bytes). */
  newSession(sizes: number[]): Promise<UploadRef & { bytes: Uint8Array<ArrayBuffer>[] }>;
  /** A chunk PUT as the app sends it (checksum header computed unless given). */
  put(
    session: UploadRef,
    file: number,
    offset: number,
    bytes: Uint8Array<ArrayBuffer>,
    sha256?: string,
  ): Promise<Response>;
  complete(session: UploadRef): Promise<Response>;
  /** The uploader's good upload running alongside every case: it must come through intact. */
  victim: UploadRef;
  /** The stranger's own upload: a real upload token, for another session than the victim. */
  strangerSession: UploadRef;
}
