// Ambient types for the app: SvelteKit's App namespace and the PWA plugin's virtual module.
/// <reference types="vite-plugin-pwa/vanillajs" />

declare global {
  namespace App {}
}

export {};
