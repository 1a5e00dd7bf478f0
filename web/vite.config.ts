// Vite config for the PWA. Build from this folder (`cd web && npx vite build`): SvelteKit reads
// svelte.config.js from the working directory. Output: web/build, served by the worker.
import { fileURLToPath } from "node:url";
import { sveltekit } from "@sveltejs/kit/vite";
import { SvelteKitPWA } from "@vite-pwa/sveltekit";
import { defineConfig } from "vite";

const THEME_COLOUR = "#0b5c8e";

export default defineConfig({
  plugins: [
    sveltekit(),
    SvelteKitPWA({
      // Our own worker (src/service-worker/, built by SvelteKit): it precaches the app shell
      // and runs the upload queue on Background Sync. The plugin injects the precache list.
      strategies: "injectManifest",
      srcDir: "src",
      // The built file's name, which the page registers (SvelteKit writes service-worker.js).
      filename: "service-worker.js",
      // "prompt", not "autoUpdate": an automatic reload would interrupt the screen in use.
      // The worker itself takes over at once (skipWaiting in its install step).
      registerType: "prompt",
      injectRegister: false,
      manifest: {
        name: "RelayPACS",
        short_name: "RelayPACS",
        description: "Send medical images (DICOM studies) from this device to your PACS.",
        start_url: "/",
        scope: "/",
        display: "standalone",
        theme_color: THEME_COLOUR,
        background_color: "#ffffff",
        icons: [
          { src: "/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
          { src: "/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
          { src: "/icon-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
        ],
      },
      injectManifest: {
        // The client build only: nothing is prerendered (the fallback page is added by
        // `kit.spa`). Setting modifyURLPrefix stops the plugin from adding its default
        // "prerendered/**" pattern, which matches nothing here and makes workbox warn.
        globPatterns: ["client/**/*.{js,css,ico,png,svg,webp,webmanifest}"],
        // The worker itself is not precached (the browser fetches it to look for updates).
        globIgnores: ["client/service-worker.js"],
        modifyURLPrefix: {},
      },
      kit: { adapterFallback: "index.html", spa: true },
      devOptions: { enabled: false },
    }),
  ],
  server: {
    // The app imports the shared wire contract from ../worker/contract.
    fs: { allow: [fileURLToPath(new URL("..", import.meta.url))] },
    // `wrangler dev` serves the API on 8787; the dev server forwards /api to it.
    proxy: { "/api": "http://127.0.0.1:8787" },
  },
});
