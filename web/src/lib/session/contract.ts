// The wire contract as seen by the session core. A relative import, not `$contract`: the core's
// unit tests run under the root vitest config, which knows nothing of SvelteKit's aliases.
export * from "../../../../worker/contract";
