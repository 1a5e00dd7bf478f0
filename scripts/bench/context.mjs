// What every benchmark phase shares: one temp directory, studies generated on first use, and a
// list of things to stop (stacks, Orthanc) that the runner empties on exit, error or Ctrl-C.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateStudy } from "./synthetic-study.mjs";
import { Reloaded } from "./workerd-memory.mjs";

export const MB = 1e6;
export const MiB = 1024 * 1024;
/** Where the memory and resume stacks "forward" to: a closed port, so no real PACS is touched. */
export const NO_PACS = { url: "http://127.0.0.1:9", username: "bench", password: "bench" };

/** Study shapes at scale 1 (instances, bytes); the runner scales them. */
export const STUDY_SHAPES = {
  upload: { instances: 1000, bytes: 1000 * MB },
  resume: { instances: 200, bytes: 200 * MB },
  forward: { instances: 500, bytes: 500 * MB },
  // The small side of both memory comparisons: never scaled.
  small: { instances: 10, bytes: 10 * MB, fixed: true },
};

export function createContext(options) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "relaypacs-bench-"));
  const studies = new Map();
  const stops = new Set();
  let dirs = 0;
  let cleaning;
  const logs = path.join(tmp, "logs");
  fs.mkdirSync(logs);

  const shape = (name) => {
    const s = STUDY_SHAPES[name];
    if (s.fixed) return s;
    const instances =
      name === "upload" && options.instances
        ? options.instances
        : Math.max(1, Math.round(s.instances * options.scale));
    return { instances, bytes: Math.max(instances * 64 * 1024, s.bytes * options.scale) };
  };

  return {
    ...options,
    tmp,
    log: (line) => console.log(line),
    shape,
    /** The named study, generated into the temp directory the first time it is asked for. */
    study(name) {
      if (!studies.has(name)) {
        const { instances, bytes } = shape(name);
        const started = performance.now();
        const study = generateStudy({
          dir: path.join(tmp, `study-${name}`),
          instances,
          totalBytes: bytes,
        });
        const s = ((performance.now() - started) / 1000).toFixed(1);
        console.log(
          `  generated the ${name} study: ${study.files.length} CT instances, ${fmtMB(study.bytes)} MB (${s} s)`,
        );
        studies.set(name, study);
      }
      return studies.get(name);
    },
    dropStudy(name) {
      const study = studies.get(name);
      if (study) remove(study.dir);
      studies.delete(name);
    },
    /** A fresh directory for one stack's state. */
    stateDir(label) {
      const dir = path.join(tmp, `${String(++dirs).padStart(2, "0")}-${label}`);
      fs.mkdirSync(dir, { recursive: true });
      return dir;
    },
    /** Starts something with a stop(); it is stopped on exit unless stopped before. */
    async start(label, starter) {
      if (cleaning) throw new Error("the benchmark is stopping");
      const dir = this.stateDir(label);
      const started = await starter(dir);
      let stopped = false;
      const stop = async () => {
        if (stopped) return;
        stopped = true;
        stops.delete(stop);
        await started.stop();
        // Keep the logs (small) until the end, for a failure's post-mortem.
        for (const log of ["wrangler.log", "orthanc.log"]) {
          const file = path.join(dir, log);
          if (fs.existsSync(file))
            fs.renameSync(file, path.join(logs, `${path.basename(dir)}.log`));
        }
        remove(dir);
      };
      stops.add(stop);
      return { ...started, stop };
    },
    /** Registers `kill` for a child process the phase runs, called if the benchmark stops early. */
    onStop(kill) {
      const stop = async () => {
        stops.delete(stop);
        kill();
      };
      stops.add(stop);
    },
    /** wrangler dev reloads seen (each voids and repeats a measurement). */
    reloads: 0,
    /** Runs `attempt()` again, up to 3 times in all, while wrangler dev reloads mid-measurement. */
    async retryOnReload(what, attempt) {
      for (let tries = 1; ; tries++) {
        try {
          return await attempt();
        } catch (error) {
          if (!(error instanceof Reloaded) || tries >= 3) throw error;
          this.reloads++;
          console.log(`  ${what}: ${error.message}; measuring again`);
        }
      }
    },
    /** Stops everything still running; copies the logs to `keepLogsIn`, if given; removes tmp. */
    cleanup(keepLogsIn) {
      // Once only: Ctrl-C and the interrupted run's own finally blocks may both ask.
      cleaning ??= (async () => {
        for (const stop of [...stops].reverse()) await stop().catch((e) => console.error(e));
        if (keepLogsIn) {
          fs.rmSync(keepLogsIn, { recursive: true, force: true });
          fs.cpSync(logs, keepLogsIn, { recursive: true });
        }
        remove(tmp);
      })();
      return cleaning;
    },
    /** Last resort from a process "exit" hook: synchronous. */
    removeTmpSync: () => {
      try {
        remove(tmp);
      } catch {
        // exiting anyway
      }
    },
  };
}

/** rm -rf, retrying while a process that was just stopped still lets go of its files. */
const remove = (dir) => fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5 });

export const fmtMB = (bytes) => (bytes / MB).toFixed(1);
export const mbps = (bytes, ms) => bytes / MB / (ms / 1000);
export const round = (n, digits = 2) => Number(n.toFixed(digits));
