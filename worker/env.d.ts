// Secrets and optional variables that wrangler.toml does not declare (set with `wrangler secret
// put` in production, or the generated .state env file locally). See README's bindings table.
declare namespace Cloudflare {
  interface Env {
    JWT_SECRET?: string;
    PACS_USERNAME?: string;
    PACS_PASSWORD?: string;
    PACS_BEARER_TOKEN?: string;
    SOP_CLASS_ALLOW_LIST?: string;
    PACS_CONFIRM_RECEIPT?: string;
    STOW_BATCH_BYTES?: string;
    STOW_BATCH_INSTANCES?: string;
    MIN_CHUNK_BYTES?: string;
    MAX_CHUNK_BYTES?: string;
    PREFERRED_CHUNK_BYTES?: string;
    MAX_FILE_BYTES?: string;
    MAX_FILES_PER_SESSION?: string;
    MAX_SESSION_BYTES?: string;
    FORWARD_WATCHDOG_SECONDS?: string;
  }
}
