// Worker entry: the HTTP app, the forwarding queue consumer, and the Durable Object classes.
import { app } from "./app";
import { consumeForwardBatch } from "./forward/consumer";

export { UploadSession } from "../durable/upload-session";

export default {
  fetch: app.fetch,
  queue: consumeForwardBatch,
} satisfies ExportedHandler<Env>;
