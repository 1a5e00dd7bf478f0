// Bindings only the integration tests have (see vitest.integration.config.ts).
declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    ORTHANC_URL: string;
    FAKE_PACS_URL: string;
    FIXTURES: Record<string, string>;
  }
}
