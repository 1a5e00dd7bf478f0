// A client-only single-page app: no server rendering, no prerendered pages; the worker serves the
// adapter's fallback (index.html) for every route.
export const ssr = false;
export const prerender = false;
