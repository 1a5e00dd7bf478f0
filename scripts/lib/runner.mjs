// What the test runners (scripts/test.mjs, scripts/gauntlet.mjs) share: which of their parts
// `--only` picks, and a clean stop on Ctrl-C.

/**
 * The names `--only a,b` picks from `choices`, or all of them without `--only`. An unknown name
 * ends the process (exit 2) with the names there are; `what` names one part ("suite").
 */
export function selectOnly(only, choices, what) {
  const selected = only ? only.split(",").map((s) => s.trim()) : [...choices];
  const unknown = selected.filter((name) => !choices.includes(name));
  if (unknown.length > 0) {
    console.error(`unknown ${what}(s): ${unknown.join(", ")}; choose from ${choices.join(", ")}`);
    process.exit(2);
  }
  return selected;
}

/** On Ctrl-C or SIGTERM: `cleanup` (e.g. stop the Orthanc a runner started), then exit 130. */
export function cleanUpOnSignal(cleanup) {
  const interrupted = async () => {
    await cleanup();
    process.exit(130);
  };
  process.on("SIGINT", () => void interrupted());
  process.on("SIGTERM", () => void interrupted());
}
