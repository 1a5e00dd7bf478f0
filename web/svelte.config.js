// SvelteKit config for the RelayPACS PWA: a static single-page app served by the worker's
// assets binding (SPA fallback index.html). The service worker comes from @vite-pwa, not Kit.
import adapter from "@sveltejs/adapter-static";
import { vitePreprocess } from "@sveltejs/vite-plugin-svelte";

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({ pages: "build", assets: "build", fallback: "index.html", strict: true }),
    // Absolute asset paths, so a deep link (/upload) served from the fallback loads its assets.
    paths: { relative: false },
    serviceWorker: { register: false },
    alias: { $contract: "../worker/contract" },
    // Kit's bootstrap is an inline <script>; mode "hash" puts its hash in a CSP <meta> tag.
    csp: {
      mode: "hash",
      directives: {
        "default-src": ["self"],
        "script-src": ["self"],
        "style-src": ["self"],
        // Kit's route announcer carries an inline style attribute; allow exactly that one.
        // (app.css repeats the rule, so a future Kit whose hash differs only logs a violation.)
        "style-src-attr": ["unsafe-hashes", "sha256-S8qMpvofolR8Mpjy4kQvEm7m1q8clzU4dfDH0AmvZjo="],
        "img-src": ["self", "data:", "blob:"],
        "connect-src": ["self"],
        "worker-src": ["self"],
        "manifest-src": ["self"],
        "base-uri": ["self"],
        "form-action": ["self"],
        "object-src": ["none"],
      },
    },
  },
};

export default config;
