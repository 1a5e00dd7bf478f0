// Runs a real DICOM storage peer (dcmtk's storescp, or dcmqrscp for AE-title checks) for tests,
// kept private: the peer listens on all interfaces (no bind option), so it runs inside its own
// network namespace and is bridged to 127.0.0.1 by two socat processes through a unix socket.
// Every start gets unique names, so parallel runs never collide. Needs root (ip netns).
import { execFile, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { descendants, freePort, isAlive, spawnLogged, stopChild, waitUntil } from "./processes.mjs";

/**
 * Runs a short command and resolves to its stdout. Not processes.mjs's run(): that one writes to
 * the child's stdin, which raises an unhandled EPIPE when the child exits first (ss, ip do).
 */
function run(command, args) {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 10_000 }, (error, stdout, stderr) => {
      if (error)
        reject(new Error(`${command} ${args.join(" ")} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

/** The port the peer listens on inside its namespace (nothing else lives there). */
const INNER_PORT = 11112;
const READY_TIMEOUT_MS = 15_000;

function onPath(command) {
  return (process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin")
    .split(path.delimiter)
    .some((dir) => dir !== "" && fs.existsSync(path.join(dir, command)));
}

/** Why this machine cannot run a private peer, or null when it can. */
export function storescpUnavailableReason() {
  if (process.platform !== "linux") return "a private DICOM peer needs Linux network namespaces";
  if (process.getuid?.() !== 0) {
    return "a private DICOM peer needs root to create a network namespace (ip netns add); run these tests as root (as the project's test container does)";
  }
  const missing = ["ip", "socat", "ss", "storescp", "dcmqrscp"].filter((c) => !onPath(c));
  if (missing.length > 0) {
    return `missing ${missing.join(", ")}: install the Debian packages dcmtk, socat and iproute2`;
  }
  return null;
}

/** True when something listens on TCP `port` in `namespace` (or the root namespace). */
async function listening(port, namespace) {
  const ss = ["ss", "-ltnH", `sport = :${port}`];
  const out = namespace
    ? await run("ip", ["netns", "exec", namespace, ...ss])
    : await run(ss[0], ss.slice(1));
  return out.trim() !== "";
}

async function startInNamespace({ label, command, args, stateDir, aeTitle }) {
  const why = storescpUnavailableReason();
  if (why) throw new Error(`Cannot start ${command}: ${why}.`);
  const id = `rp-${label}-${process.pid}-${randomBytes(3).toString("hex")}`;
  const socketPath = path.join(os.tmpdir(), `${id}.sock`);
  const children = [];
  let stopped = false;

  const cleanupSync = () => {
    for (const child of children) {
      for (const pid of descendants(child.pid)) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      if (isAlive(child.pid)) child.kill("SIGKILL");
    }
    spawnSync("ip", ["netns", "del", id], { stdio: "ignore" });
    fs.rmSync(socketPath, { force: true });
  };
  process.on("exit", cleanupSync);

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const child of [...children].reverse()) {
      for (const pid of descendants(child.pid)) {
        try {
          process.kill(pid, "SIGTERM");
        } catch {
          // already gone
        }
      }
      await stopChild(child, 3000);
    }
    await run("ip", ["netns", "del", id]).catch(() => undefined);
    fs.rmSync(socketPath, { force: true });
    process.off("exit", cleanupSync);
  };

  try {
    await run("ip", ["netns", "add", id]);
    await run("ip", ["netns", "exec", id, "ip", "link", "set", "lo", "up"]);
    const logFile = path.join(stateDir, `${label}.log`);
    const peer = spawnLogged("ip", ["netns", "exec", id, command, ...args], {
      logFile,
      cwd: stateDir,
      env: process.env,
    });
    children.push(peer);
    await waitUntil(() => listening(INNER_PORT, id), {
      child: peer,
      timeoutMs: READY_TIMEOUT_MS,
      what: `${command} in namespace ${id}`,
      logFile,
    });
    const inner = spawnLogged(
      "ip",
      [
        "netns",
        "exec",
        id,
        "socat",
        `UNIX-LISTEN:${socketPath},fork,unlink-early`,
        `TCP:127.0.0.1:${INNER_PORT}`,
      ],
      { logFile: path.join(stateDir, `${label}-socat-inner.log`), cwd: stateDir, env: process.env },
    );
    children.push(inner);
    await waitUntil(async () => fs.existsSync(socketPath), {
      child: inner,
      timeoutMs: READY_TIMEOUT_MS,
      what: "socat inside the namespace",
      logFile: path.join(stateDir, `${label}-socat-inner.log`),
    });
    const port = await freePort();
    const outer = spawnLogged(
      "socat",
      [`TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork`, `UNIX-CONNECT:${socketPath}`],
      { logFile: path.join(stateDir, `${label}-socat-outer.log`), cwd: stateDir, env: process.env },
    );
    children.push(outer);
    await waitUntil(() => listening(port), {
      child: outer,
      timeoutMs: READY_TIMEOUT_MS,
      what: `socat on 127.0.0.1:${port}`,
      logFile: path.join(stateDir, `${label}-socat-outer.log`),
    });
    return { host: "127.0.0.1", port, aeTitle, namespace: id, logFile, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * storescp accepting every transfer syntax it knows (+xa), writing what it receives bit for bit
 * (+B: the data set exactly as sent, so tests can compare bytes) under `outputDir` with unique
 * file names (+uf). `args` adds options (e.g. ["--abort-during"], ["+xi"], ["-pdu", "16384"]).
 */
export async function startStorescp({ outputDir, stateDir, aeTitle = "STORESCP", args = [] }) {
  fs.mkdirSync(outputDir, { recursive: true });
  fs.mkdirSync(stateDir, { recursive: true });
  const handle = await startInNamespace({
    label: "storescp",
    command: "storescp",
    args: [
      "-v",
      "+xa",
      "+B",
      "+uf",
      "-aet",
      aeTitle,
      "-od",
      outputDir,
      ...args,
      String(INNER_PORT),
    ],
    stateDir,
    aeTitle,
  });
  return { ...handle, outputDir };
}

/**
 * dcmqrscp serving one storage area under the AE title `aeTitle`. Unlike storescp it refuses an
 * association whose called AE title it does not know (called-AE-title-not-recognized).
 */
export async function startDcmqrscp({ dbDir, stateDir, aeTitle = "ARCHIVE" }) {
  fs.mkdirSync(dbDir, { recursive: true });
  fs.mkdirSync(stateDir, { recursive: true });
  const configFile = path.join(stateDir, "dcmqrscp.cfg");
  fs.writeFileSync(
    configFile,
    [
      `NetworkTCPPort = ${INNER_PORT}`,
      "MaxPDUSize = 16384",
      "MaxAssociations = 16",
      "HostTable BEGIN",
      "HostTable END",
      "VendorTable BEGIN",
      "VendorTable END",
      "AETable BEGIN",
      `${aeTitle} ${dbDir} RW (200, 1024mb) ANY`,
      "AETable END",
      "",
    ].join("\n"),
  );
  return startInNamespace({
    label: "dcmqrscp",
    command: "dcmqrscp",
    args: ["-v", "-c", configFile],
    stateDir,
    aeTitle,
  });
}

/**
 * Orthanc with its DICOM port (and no HTTP server), for tests that talk DIMSE to a real PACS
 * (C-ECHO, C-STORE, C-FIND). Private like the others: its own namespace, bridged to 127.0.0.1.
 * Orthanc answers C-FIND only for the AE titles in DicomModalities (it aborts the others' queries),
 * so `queryAeTitle` is listed there; the host is not checked (DicomCheckModalityHost is off).
 */
export async function startOrthancDicom({
  stateDir,
  aeTitle = "ORTHANC",
  queryAeTitle = "RELAYPACS",
}) {
  const storage = path.join(stateDir, "orthanc-dicom-storage");
  fs.mkdirSync(storage, { recursive: true });
  const configFile = path.join(stateDir, "orthanc-dicom.json");
  fs.writeFileSync(
    configFile,
    JSON.stringify({
      Name: "RelayPACS test Orthanc (DICOM)",
      StorageDirectory: storage,
      IndexDirectory: storage,
      HttpServerEnabled: false,
      DicomServerEnabled: true,
      DicomAet: aeTitle,
      DicomPort: INNER_PORT,
      DicomCheckCalledAet: true,
      DicomAlwaysAllowEcho: true,
      DicomModalities: { relaypacs: [queryAeTitle, "127.0.0.1", 104] },
    }),
  );
  return startInNamespace({
    label: "orthanc-dicom",
    command: "/usr/sbin/Orthanc",
    args: [configFile],
    stateDir,
    aeTitle,
  });
}
