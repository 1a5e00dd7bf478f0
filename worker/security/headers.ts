// Security headers on every response the worker answers (the API, its errors and 404s). The PWA's
// static files are served without the worker (`run_worker_first = ["/api/*"]`): their headers come
// from web/static/_headers, and their script policy from SvelteKit's CSP <meta> tag.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";

/** Every browser feature off but the camera (photos of paper requests, QR codes). */
export const PERMISSIONS_POLICY = [
  "camera=(self)",
  "microphone=()",
  "geolocation=()",
  "accelerometer=()",
  "gyroscope=()",
  "magnetometer=()",
  "payment=()",
  "usb=()",
  "serial=()",
  "hid=()",
  "bluetooth=()",
  "midi=()",
  "display-capture=()",
  "publickey-credentials-get=()",
  "xr-spatial-tracking=()",
].join(", ");

export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  // JSON and CSV only: nothing to run, nothing to frame.
  "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
  "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
  "Referrer-Policy": "no-referrer",
  "Permissions-Policy": PERMISSIONS_POLICY,
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
};

export const securityHeaders = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  const headers = c.res.headers;
  for (const [name, value] of Object.entries(API_SECURITY_HEADERS)) headers.set(name, value);
  // Tokens, audit rows and upload statuses must never sit in a shared or disk cache.
  if (!headers.has("Cache-Control")) headers.set("Cache-Control", "no-store");
});
