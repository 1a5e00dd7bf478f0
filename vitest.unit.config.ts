// Unit tests: pure modules, run in Node, no runtime, no network.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["worker/**/*.test.ts", "durable/**/*.test.ts", "web/src/**/*.test.ts"],
    environment: "node",
  },
});
