// Integration tests run inside workerd with the real R2, Durable Objects, D1 and Queues of
// miniflare. The PACS URL comes from the test runner (scripts/test.mjs starts a real Orthanc).
import fs from "node:fs";
import path from "node:path";
import { defineConfig } from "vitest/config";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { startFakePacs } from "./tests/support/fake-pacs";

// Fixture files reach the workerd test isolate as a JSON binding of base64 strings (the isolate
// has no file system). Only small files: the big generated studies belong to the benchmarks.
function loadFixtures(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (fs.statSync(full).size <= 2 * 1024 * 1024) {
        out[path.relative(dir, full)] = fs.readFileSync(full).toString("base64");
      }
    }
  };
  walk(dir);
  return out;
}

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "worker/migrations"));
  // FakePacs (tests/support/fake-pacs.ts) fronts the real Orthanc to produce the faults Orthanc
  // cannot: 5xx, 413 from a proxy, slow answers, scripted STOW-RS response shapes.
  const fakePacs = process.env.ORTHANC_URL ? await startFakePacs(process.env.ORTHANC_URL) : null;
  return {
    plugins: [
      cloudflareTest({
        main: "./worker/index.ts",
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            FIXTURES: loadFixtures(path.join(import.meta.dirname, "tests/fixtures")),
            JWT_SECRET: "integration-test-secret-0123456789abcdef0123456789abcdef",
            PACS_URL: process.env.ORTHANC_URL
              ? `${process.env.ORTHANC_URL}/dicom-web`
              : "http://127.0.0.1:9/dicom-web",
            PACS_USERNAME: process.env.ORTHANC_USERNAME ?? "",
            PACS_PASSWORD: process.env.ORTHANC_PASSWORD ?? "",
            ORTHANC_URL: process.env.ORTHANC_URL ?? "",
            FAKE_PACS_URL: fakePacs?.url ?? "",
          },
        },
      }),
    ],
    test: {
      include: ["tests/integration/**/*.test.ts"],
      setupFiles: ["./tests/integration/apply-migrations.ts"],
      // A private storescp for tests/integration/cstore.test.ts (provides "cstorePeer").
      globalSetup: ["./tests/integration/cstore-global-setup.ts"],
      testTimeout: 60_000,
      hookTimeout: 60_000,
    },
  };
});
