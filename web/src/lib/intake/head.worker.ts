// A head worker: reads the first bytes of picked files for the scan (see head-pool.ts). Start it
// with startHeadWorker() from start-workers.ts.
import { serveHeadRequests } from "./head-worker-core";

serveHeadRequests(self);
