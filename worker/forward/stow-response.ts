// Reads a STOW-RS response (PS3.18 10.5.3: HTTP status + DICOM JSON body) into one verdict for the
// request and one outcome per instance sent. The body wins over the status where it says more:
// vendors use 409 for very different causes. It never throws and never trusts the body's shape.
import { z } from "zod";
import {
  batchStatusMessage,
  formatReasonCode,
  NOT_ACKNOWLEDGED_MESSAGE,
  reasonMessage,
  STORED_MESSAGE,
} from "./reasons";

export type StowInstanceResult = {
  sopInstanceUid: string;
  status: "stored" | "warning" | "failed";
  code?: string;
  message: string;
};
export type StowResult = {
  kind: "ok" | "partial" | "transient" | "permanent" | "too_large";
  message: string;
  instances: StowInstanceResult[];
};

// US values are JSON numbers per PS3.18 F.2.3; some servers send strings ("C122", "0xC122", "49442").
const ReasonValue = z.union([
  z.number().int().min(0).max(0xffff).transform(formatReasonCode),
  z
    .string()
    .regex(/^0x[0-9a-f]{1,4}$/i)
    .transform((s) => formatReasonCode(Number.parseInt(s.slice(2), 16))),
  z
    .string()
    .regex(/^[0-9a-f]{4}$/i)
    .transform((s) => s.toUpperCase()), // as the standard writes it
  z
    .string()
    .regex(/^\d{1,5}$/)
    .transform((s) => formatReasonCode(Number(s))),
]);
const Reason = z
  .object({ Value: z.tuple([ReasonValue]).rest(z.unknown()) })
  .optional()
  .catch(undefined);
const SopItem = z.object({
  "00081155": z.object({ Value: z.tuple([z.string().trim().min(1)]).rest(z.unknown()) }),
  "00081196": Reason,
  "00081197": Reason,
});
type SopItem = z.infer<typeof SopItem>;
const Sequence = z.object({ Value: z.array(z.unknown()).optional() });
const ResponseBody = z.object({ "00081199": Sequence.optional(), "00081198": Sequence.optional() });

/** The two sequences, `undefined` where absent; items that do not fit the schema are dropped one by one. */
function readBody(text: string): { referenced?: SopItem[]; failed?: SopItem[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {}; // empty, XML or an HTML error page: the status alone decides
  }
  const parsed = ResponseBody.safeParse(Array.isArray(json) ? json[0] : json);
  if (!parsed.success) return {};
  const items = (seq: z.infer<typeof Sequence> | undefined) =>
    seq &&
    (seq.Value ?? []).flatMap((v) => {
      const item = SopItem.safeParse(v);
      return item.success ? [item.data] : [];
    });
  return { referenced: items(parsed.data["00081199"]), failed: items(parsed.data["00081198"]) };
}

/** What the body says about each instance it names. */
function listed(body: ReturnType<typeof readBody>): Map<string, StowInstanceResult> {
  const out = new Map<string, StowInstanceResult>();
  for (const item of body.referenced ?? []) {
    const sopInstanceUid = item["00081155"].Value[0];
    const code = item["00081196"]?.Value[0];
    out.set(
      sopInstanceUid,
      code
        ? { sopInstanceUid, status: "warning", code, message: reasonMessage(code) }
        : { sopInstanceUid, status: "stored", message: STORED_MESSAGE },
    );
  }
  for (const item of body.failed ?? []) {
    const sopInstanceUid = item["00081155"].Value[0];
    const code = item["00081197"]?.Value[0];
    out.set(
      sopInstanceUid,
      code
        ? { sopInstanceUid, status: "failed", code, message: reasonMessage(code) }
        : {
            sopInstanceUid,
            status: "failed",
            message:
              "The PACS refused this image without giving a reason. Ask your PACS administrator.",
          },
    );
  }
  return out;
}

function isTransient(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || (status >= 500 && status <= 599);
}

/**
 * `sent`: the SOP Instance UIDs in this request. Returns one outcome per sent UID, in order.
 * Rules: 2xx maps each instance from the body; an instance the body does not name counts as
 * stored only for a 200 whose body has no Referenced SOP Sequence at all (some PACS answer with an
 * empty body), else as failed "not_acknowledged". 408/425/429/5xx are transient, 413 too_large;
 * every other status is permanent, with the body's per-instance reasons where it gives them.
 */
export function parseStowResponse(status: number, bodyText: string, sent: string[]): StowResult {
  const batchMessage = batchStatusMessage(status);
  const batchFailure = (sopInstanceUid: string): StowInstanceResult => ({
    sopInstanceUid,
    status: "failed",
    code: `http_${status}`,
    message: batchMessage,
  });
  if (isTransient(status) || status === 413) {
    return {
      kind: status === 413 ? "too_large" : "transient",
      message: batchMessage,
      instances: sent.map(batchFailure),
    };
  }
  const body = readBody(bodyText);
  const named = listed(body);
  const success = status >= 200 && status <= 299;
  const unnamed = (sopInstanceUid: string): StowInstanceResult => {
    if (!success) return batchFailure(sopInstanceUid);
    if (status === 200 && body.referenced === undefined)
      return { sopInstanceUid, status: "stored", message: STORED_MESSAGE };
    return {
      sopInstanceUid,
      status: "failed",
      code: "not_acknowledged",
      message: NOT_ACKNOWLEDGED_MESSAGE,
    };
  };
  const instances = sent.map((uid) => named.get(uid) ?? unnamed(uid));
  const failed = instances.filter((i) => i.status === "failed").length;
  const stored = instances.length - failed;
  if (!success) {
    const message =
      named.size > 0 ? `${batchMessage} Each file says what the PACS said about it.` : batchMessage;
    return { kind: stored > 0 ? "partial" : "permanent", message, instances };
  }
  if (failed === 0) {
    const warned = instances.filter((i) => i.status === "warning").length;
    const all = stored === 1 ? "the image" : `all ${stored} images`;
    const note =
      warned === 0 ? "" : stored === 1 ? ", with a warning" : `, ${warned} of them with a warning`;
    return { kind: "ok", message: `The PACS stored ${all}${note}.`, instances };
  }
  const message = `The PACS stored ${stored} of ${instances.length} images; each file says why the others were not stored.`;
  return { kind: "partial", message, instances };
}
