// The gauntlet's intake cases in Chromium against the real stack (cases in tests/gauntlet). First
// every hostile file is picked at once together with a good three-image study: each must be listed
// with its plain reason, and the good study must still be sent and stored byte for byte. Then each
// case the intake reads DICOM from is picked alone and sent, and the PACS's answer is read. Prints
// the table at the end.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatPersonName } from "../../web/src/lib/format";
import { GAUNTLET, INTAKE_CASES, type IntakeCase } from "../gauntlet/cases";
import { REASON } from "../gauntlet/cases-intake";
import { craftDicom, newStudyIds } from "../gauntlet/dicom-craft";
import { CORPUS_FILES } from "../gauntlet/inputs";
import { nodeFixtures } from "../gauntlet/node-fixtures";
import { formatTable, plainLanguageProblems, type TableRow } from "../gauntlet/plain";
import { orthancInstanceBytes, type TestStack } from "../support/stack";
import { openIntakeBrowser, openUpload, pickFiles, screenOf } from "./intake-page";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures");

let stack: TestStack;
let page: Page;
let pageErrors: string[] = [];
const rows: TableRow[] = [];

beforeAll(async () => {
  const intake = await openIntakeBrowser("rp-gauntlet");
  ({ stack, page, pageErrors } = intake);
  return intake.close;
});

afterAll(async () => {
  const order = new Map(INTAKE_CASES.map((c, i) => [c.id, i]));
  rows.sort((a, b) => (order.get(a.id) ?? -1) - (order.get(b.id) ?? -1));
  console.log(`\n${formatTable("Gauntlet, intake (Chromium + wrangler dev + Orthanc)", rows)}\n`);
});

const asPicked = (file: { name: string; bytes: Uint8Array }) => ({
  name: file.name,
  mimeType: "application/octet-stream",
  buffer: Buffer.from(file.bytes),
});

interface Listed {
  code: string;
  reason: string;
}

/** The files listed as not sent: path → code and reason. */
async function listedRefusals(): Promise<Map<string, Listed>> {
  const out = new Map<string, Listed>();
  for (const row of await page.getByTestId("rejected-file").all()) {
    const name = (await row.getByTestId("rejected-name").textContent())?.trim() ?? "";
    const reason = (await row.getByTestId("rejected-reason").textContent())?.trim() ?? "";
    out.set(name, { code: (await row.getAttribute("data-code")) ?? "", reason });
  }
  return out;
}

/** The refusals that belong to this case's file: itself, or members inside it. */
function refusalsOf(all: Map<string, Listed>, name: string) {
  return new Map([...all].filter(([p]) => p === name || p.startsWith(`${name}/`)));
}

function expectPlain(message: string, needsAction: boolean, what: string) {
  expect(plainLanguageProblems(message, needsAction), `${what}: "${message}"`).toEqual([]);
}

/** Checks a case's refusals: the paths and codes it expects, each reason plain and as worded. */
function expectRefusals(c: IntakeCase, got: Map<string, Listed>) {
  const codes = Object.fromEntries([...got].map(([p, l]) => [p, l.code]));
  expect(codes, c.id).toEqual(c.refused);
  for (const [p, listed] of got) {
    expect(listed.reason, `${c.id}: ${p}`).toMatch(REASON[listed.code] ?? /^$/);
    expectPlain(listed.reason, true, `${c.id}: ${p}`);
  }
}

/** Review → gate → send; the result line, the session's sentence and each file's answer. */
async function confirmAndSend(): Promise<{ summary: string; sentence: string; hints: string[] }> {
  await page.getByTestId("send").click();
  await screenOf(page, ["confirm"]);
  await page.getByTestId("confirm-send").click();
  const summary = page.getByTestId("result-summary");
  await summary.waitFor({ timeout: 120_000 });
  const section = page.locator("section", { has: summary });
  const text = async (selector: string) =>
    (await section.locator(selector).allTextContents()).map((t) => t.trim());
  return {
    summary: (await summary.textContent())?.trim() ?? "",
    sentence: (await text("p")).join(" "),
    hints: await text(".hint"),
  };
}

describe("gauntlet: intake", () => {
  it("every file of the corpus's broken/ and edge_cases/ folders is a case", () => {
    const onDisk = ["dicom", "gauntlet"].flatMap((root) =>
      ["broken", "edge_cases"].flatMap((dir) =>
        readdirSync(path.join(FIXTURES, root, dir)).map((f) => `${root}/${dir}/${f}`),
      ),
    );
    expect([...CORPUS_FILES].sort()).toEqual(onDisk.sort());
    // The corpus rows of those files: the two MANIFESTs together describe exactly these.
    const described = ["dicom", "gauntlet"].flatMap((root) =>
      readFileSync(path.join(FIXTURES, root, "MANIFEST.tsv"), "utf8")
        .split("\n")
        .map((line) => line.split("\t")[0] ?? "")
        .filter((p) => /^files\/(broken|edge_cases)\//.test(p))
        .map((p) => `${root}/${p.slice("files/".length)}`),
    );
    expect(described.sort()).toEqual(onDisk.sort());
    expect(CORPUS_FILES).toHaveLength(27);
    expect(GAUNTLET.length).toBeGreaterThanOrEqual(60);
  });

  const victim = newStudyIds("victim");
  const victimFiles = [1, 2, 3].map((n) => ({ name: `victim-${n}.dcm`, ...craftDicom(victim, n) }));
  const picked = INTAKE_CASES.map((c) => ({ c, file: c.file(nodeFixtures) }));
  let together = new Map<string, Listed>();

  it("all hostile files picked at once with a good study: the good study is still sent whole", async () => {
    await openUpload(page);
    const files = [...victimFiles, ...picked.map((p) => p.file)];
    expect(new Set(files.map((f) => f.name)).size).toBe(files.length);
    expect(await pickFiles(page, files.map(asPicked))).toBe("studies");
    together = await listedRefusals();
    await page
      .getByTestId("study-choice")
      .filter({ hasText: formatPersonName(victim.patientName) })
      .click();
    await screenOf(page, ["review"]);
    const { summary } = await confirmAndSend();
    expect(summary).toBe("Received by PACS: 3 of 3");
    for (const f of victimFiles) {
      expect(await orthancInstanceBytes(stack.orthanc, f.sopUid)).toEqual(Buffer.from(f.bytes));
    }
  });

  it.each(picked.map((p) => [p.c.id, p] as const))("%s", async (_id, { c, file }) => {
    const got = refusalsOf(together, file.name);
    expectRefusals(c, got);
    if (c.sends > 0) {
      // Picked alone, sent, and answered by the PACS.
      await openUpload(page);
      expect(await pickFiles(page, [asPicked(file)])).toBe("review");
      expectRefusals(c, await listedRefusals());
      const reasons = [...new Set([...got.values()].map((l) => l.reason))];
      const { summary, sentence, hints } = await confirmAndSend();
      const message = [...reasons, summary, sentence, ...hints].join(" ");
      rows.push({ id: c.id, layer: c.layer, outcome: `sent, ${summary}`, message });
      expect(message).toMatch(c.message);
      // The session's sentence points at each file's answer, which says what to do.
      expectPlain(sentence, false, c.id);
      for (const hint of hints) expectPlain(hint, hint !== "Stored in the PACS.", c.id);
    } else {
      const reasons = [...new Set([...got.values()].map((l) => l.reason))];
      const codes = [...new Set([...got.values()].map((l) => l.code))].join(", ");
      rows.push({
        id: c.id,
        layer: c.layer,
        outcome: `refused ${codes}`,
        message: reasons.join(" "),
      });
      expect(reasons.join(" ")).toMatch(c.message);
    }
  });

  it("raised no error in the page", () => {
    expect(pageErrors).toEqual([]);
  });
});
