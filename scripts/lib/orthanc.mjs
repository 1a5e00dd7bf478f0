// Runs a private Orthanc (Debian package + DICOMweb plugin) as the local PACS for `npm start` and
// the tests: HTTP only, answering loopback clients only, no DICOM port, one generated user.
// Not a production PACS setup.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { freePort, killOnExit, spawnLogged, stopChild, waitUntil } from "./processes.mjs";

export const ORTHANC_BINARY = "/usr/sbin/Orthanc";
export const DICOMWEB_PLUGIN = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so";
const USERNAME = "relaypacs";
const READY_TIMEOUT_MS = 30_000;

/** The password saved in stateDir on first start, so a restarted Orthanc keeps its user. */
function loadOrCreatePassword(stateDir) {
  const file = path.join(stateDir, "orthanc-credentials.json");
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, "utf8")).password;
  const password = randomBytes(18).toString("hex");
  fs.writeFileSync(file, JSON.stringify({ username: USERNAME, password }, null, 2) + "\n", {
    mode: 0o600,
  });
  return password;
}

/**
 * @param {{ stateDir: string, httpPort?: number }} options
 * @returns {Promise<{ url: string, username: string, password: string, logFile: string,
 *   stop: () => Promise<void> }>}
 */
export async function startOrthanc({ stateDir, httpPort }) {
  const dir = path.resolve(stateDir);
  fs.mkdirSync(path.join(dir, "storage"), { recursive: true });
  const password = loadOrCreatePassword(dir);
  const port = httpPort ?? (await freePort());
  const config = {
    Name: "RelayPACS local Orthanc",
    StorageDirectory: path.join(dir, "storage"),
    IndexDirectory: path.join(dir, "storage"),
    HttpPort: port,
    // Orthanc 1.10 has no bind address and listens on all interfaces: these two keep it private.
    RemoteAccessAllowed: false,
    DicomServerEnabled: false,
    AuthenticationEnabled: true,
    RegisteredUsers: { [USERNAME]: password },
    HttpDescribeErrors: true,
    Plugins: [DICOMWEB_PLUGIN],
    DicomWeb: { Enable: true, Root: "/dicom-web/" },
  };
  const configFile = path.join(dir, "orthanc.json");
  fs.writeFileSync(configFile, JSON.stringify(config, null, 2) + "\n", { mode: 0o600 });

  const logFile = path.join(dir, "orthanc.log");
  const child = spawnLogged(ORTHANC_BINARY, [configFile], { logFile, cwd: dir, env: process.env });
  const unhook = killOnExit(child);
  const spawnError = new Promise((_, reject) => child.once("error", reject));
  const url = `http://127.0.0.1:${port}`;
  const authorization = `Basic ${Buffer.from(`${USERNAME}:${password}`).toString("base64")}`;

  const stop = async () => {
    await stopChild(child);
    unhook();
  };
  try {
    await Promise.race([
      spawnError,
      waitUntil(
        async () =>
          (
            await fetch(`${url}/system`, {
              headers: { authorization },
              signal: AbortSignal.timeout(3000),
            })
          ).status === 200,
        { child, timeoutMs: READY_TIMEOUT_MS, what: `Orthanc on port ${port}`, logFile },
      ),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, username: USERNAME, password, logFile, stop };
}
