// What "a plain-language message" means in the gauntlet, as checks on the real strings the worker
// (worker/errors.ts, verdicts, PACS reasons) and the intake (web/src/lib/intake/problems.ts) give,
// and the table both runners print. Runtime-agnostic: used in Node and inside workerd.

/** Words that tell the person what to do next, as the product's messages phrase it. */
const WHAT_TO_DO =
  /\b(sign in|update the app|try again|copy it again|export (it|the images) again|send (it|them|the study|a zip|fewer|smaller|only)|sent again|sends? (it|them) again|pick (it|the|a|that)|choose|ask (your|whoever)|check (that|the|which|with)|download|make (it|the archive)|unpack it|start again|the app sends|tell your|reload|split|will try again|can send it again|is sent once|will be left out|start a new upload|leave it out)\b/i;

/**
 * Why `message` is not plain language: empty list when it is. `needsAction`: a refusal must say
 * what to do (a success need not).
 */
export function plainLanguageProblems(message: string, needsAction: boolean): string[] {
  const problems: string[] = [];
  const has = (pattern: RegExp, what: string) => {
    if (pattern.test(message)) problems.push(what);
  };
  if (message.trim().length < 15) problems.push("too short to explain anything");
  has(/^[^A-Z]/, "does not start as a sentence");
  has(/[^.!)]$/, "does not end as a sentence");
  has(/\bundefined\b|\bnull\b|\bNaN\b|\[object /, "leaks a programming value");
  has(/\n\s*at |\bat \S+ \(|:\d+:\d+\)?$/m, "holds a stack trace");
  has(/\b\w*(Error|Exception)\b|\bE[A-Z]+_[A-Z_]+\b|\bERAR_/, "names a raw exception");
  has(/[{}<>]|\\u00|\\n/, "holds raw data or markup");
  has(/\b(expected \w+, received|Invalid input|Too (big|small):)/, "echoes a validator's words");
  if (needsAction && !WHAT_TO_DO.test(message)) problems.push("does not say what to do");
  return problems;
}

export interface TableRow {
  id: string;
  layer: string;
  outcome: string;
  message: string;
}

/** The gauntlet's table as text: one line per case, the message in full. */
export function formatTable(title: string, rows: readonly TableRow[]): string {
  const columns = ["case", "layer", "outcome", "message"] as const;
  const cells = rows.map((r) => [r.id, r.layer, r.outcome, r.message.replace(/\s+/g, " ")]);
  const widths = [0, 1, 2].map((i) =>
    Math.max(columns[i]!.length, ...cells.map((c) => c[i]!.length)),
  );
  const line = (c: readonly string[]) =>
    [...[0, 1, 2].map((i) => c[i]!.padEnd(widths[i]!)), c[3]!].join(" | ");
  return [
    `${title}: ${rows.length} cases`,
    line(columns),
    [...widths, 40].map((w) => "-".repeat(w)).join("-|-"),
    ...cells.map(line),
  ].join("\n");
}
