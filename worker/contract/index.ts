// The one wire contract: every HTTP body, header value and queue message that crosses a boundary
// between the PWA, the worker, the Durable Objects and the queue. Both sides import this module.
export * from "./common";
export * from "./auth";
export * from "./uploads";
export * from "./queue";
export * from "./retry";
export * from "./destinations";
export * from "./identity";
export * from "./reports";
