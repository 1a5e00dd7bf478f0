// Worker entry: the HTTP app, the forwarding queue consumer (and its dead-letter queue), and the
// Durable Object classes.
import { app } from "./app";
import { consumeDeadLetters, consumeForwardBatch } from "./forward/consumer";

export { UploadSession } from "../durable/upload-session";
export { RateLimiter } from "../durable/rate-limiter";

// Every named export of this module is an entrypoint to workerd: constants live elsewhere.
const FORWARD_DLQ = "relaypacs-forward-dlq";

export default {
  fetch: app.fetch,
  queue: (batch, env) =>
    batch.queue === FORWARD_DLQ ? consumeDeadLetters(batch, env) : consumeForwardBatch(batch, env),
} satisfies ExportedHandler<Env>;
