// Types for dev-stack.mjs, so the TypeScript test support can import it.
export interface DevLogin {
  email: string;
  password: string;
}

export interface DevStack {
  /** http://127.0.0.1:PORT, serving the PWA and the API. */
  url: string;
  /** wrangler's DevTools port for the worker's isolate (the bench reads its heap there). */
  inspectorPort: number;
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
  /** Extra worker variables, written into the env file. */
  vars?: Record<string, string>;
  /** The state directory is set up already: skip migrations and the login check. */
  restart?: boolean;
  /** Run the worker from this copy of the sources (its own wrangler.toml), not the repo. */
  sourceDir?: string;
  orthanc?: { url: string; username: string; password: string };
}): Promise<DevStack>;
