// Limits and tunables read from the environment with safe defaults. Chunks stay far below the
// 100 MB request-body cap of Cloudflare's cheaper plans.
export const KiB = 1024;
export const MiB = 1024 * KiB;

export interface Limits {
  minChunkSize: number;
  maxChunkSize: number;
  preferredChunkSize: number;
  maxFileSize: number;
  maxFilesPerSession: number;
  maxSessionBytes: number;
  sessionTtlMs: number;
}

function intVar(value: string | undefined, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
}

export function limitsFrom(env: Env): Limits {
  const min = Math.max(256 * KiB, intVar(env.MIN_CHUNK_BYTES, 256 * KiB));
  const max = Math.min(32 * MiB, intVar(env.MAX_CHUNK_BYTES, 32 * MiB));
  return {
    minChunkSize: min,
    maxChunkSize: max,
    preferredChunkSize: Math.min(max, Math.max(min, intVar(env.PREFERRED_CHUNK_BYTES, 8 * MiB))),
    maxFileSize: intVar(env.MAX_FILE_BYTES, 4 * 1024 * MiB),
    maxFilesPerSession: intVar(env.MAX_FILES_PER_SESSION, 5000),
    maxSessionBytes: intVar(env.MAX_SESSION_BYTES, 20 * 1024 * MiB),
    sessionTtlMs: intVar(env.SESSION_TTL_SECONDS, 86_400) * 1000,
  };
}

/**
 * How long a session waits on the queue without progress before it sends its forward again. Well
 * above a normal forward's silence (one batch) and far below the session's expiry.
 */
export function forwardWatchdogMs(env: Env): number {
  return intVar(env.FORWARD_WATCHDOG_SECONDS, 600) * 1000;
}
