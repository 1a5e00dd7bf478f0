// Lint for the whole repo: type-aware typescript-eslint for the worker, Durable Objects, tests and
// the PWA (Svelte files too), syntax-level rules for plain JS scripts. The rule that matters most
// is no-floating-promises: on Workers a promise neither awaited nor given to waitUntil is dropped.
import { defineConfig, globalIgnores } from "eslint/config";
import svelte from "eslint-plugin-svelte";
import globals from "globals";
import tseslint from "typescript-eslint";
import svelteConfig from "./web/svelte.config.js";

const typeAwareRules = {
  "@typescript-eslint/no-floating-promises": "error",
  // Off: Durable Object RPC methods and injected ports are async by interface even when one
  // implementation needs no await; the rule would force noise, not catch bugs.
  "@typescript-eslint/require-await": "off",
  "@typescript-eslint/no-unused-vars": [
    "error",
    { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
  ],
};

export default defineConfig(
  globalIgnores([
    "node_modules/",
    "web/build/",
    "web/.svelte-kit/",
    "web/dev-dist/",
    ".svelte-kit/",
    ".state/",
    ".wrangler/",
    "test-results/",
    "worker-configuration.d.ts",
  ]),

  // Plain JavaScript (scripts, configs) and hand-written declarations: no type information.
  {
    files: ["**/*.js", "**/*.mjs", "**/*.cjs", "**/*.d.mts"],
    extends: [tseslint.configs.recommended],
    languageOptions: { globals: globals.node },
    rules: { "no-undef": "error" },
  },
  {
    files: ["**/*.d.mts"],
    rules: { "no-undef": "off" },
  },

  // Worker, Durable Objects, tests, vitest configs: the root tsconfig.json.
  {
    files: ["worker/**/*.ts", "durable/**/*.ts", "tests/**/*.ts", "vitest.*.ts"],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: typeAwareRules,
  },

  // The PWA: web/tsconfig.json (generated base: run `svelte-kit sync` in web/ first).
  {
    files: ["web/**/*.ts", "web/**/*.svelte"],
    extends: [tseslint.configs.recommendedTypeChecked, svelte.configs.recommended],
    languageOptions: {
      globals: globals.browser,
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: [".svelte"],
        parser: tseslint.parser,
        svelteConfig,
      },
    },
    rules: typeAwareRules,
  },

  // vitest's asymmetric matchers (expect.any, expect.stringMatching) are typed `any`.
  {
    files: ["**/*.test.ts"],
    rules: { "@typescript-eslint/no-unsafe-assignment": "off" },
  },
);
