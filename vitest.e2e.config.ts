// Browser end-to-end tests: Debian Chromium via playwright-core against `wrangler dev` and a real
// Orthanc, both started by tests/support (one run, serially: one machine, two cores).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/e2e/**/*.test.ts"],
    environment: "node",
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
