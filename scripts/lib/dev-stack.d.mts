// Types for dev-stack.mjs, so the TypeScript test support can import it.
export interface DevLogin {
  email: string;
  password: string;
}

export interface DevStack {
  /** http://127.0.0.1:PORT, serving the PWA and the API. */
  url: string;
  login: DevLogin;
  logFile: string;
  /** Resolves with wrangler's exit code when it exits, whatever the reason. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export declare function buildPwa(): Promise<boolean>;

export declare function startStack(options: {
  stateDir: string;
  port?: number;
  orthanc?: { url: string; username: string; password: string };
}): Promise<DevStack>;
