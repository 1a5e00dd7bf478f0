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
      strategies: "generateSW",
      // "prompt", not "autoUpdate": an automatic reload would cancel an upload in progress.
      // With skipWaiting the new worker still takes over; the new page code loads next launch.
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
      workbox: {
        // Without these two the first page load is never controlled by the service worker.
        clientsClaim: true,
        skipWaiting: true,
        cleanupOutdatedCaches: true,
        // Precache the client build only: nothing is prerendered (the fallback page is added by
        // `kit.spa`). Setting modifyURLPrefix stops the plugin from adding its default
        // "prerendered/**" pattern, which matches nothing here and makes workbox warn.
        globPatterns: ["client/**/*.{js,css,ico,png,svg,webp,webmanifest}"],
        modifyURLPrefix: {},
        navigateFallbackDenylist: [/^\/api\//],
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
