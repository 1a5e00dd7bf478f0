// DICOMweb: STOW-RS to store (one multipart/related request per batch), QIDO-RS to confirm
// receipt (one query per study, listing its instances' SOP Instance UIDs).
import { z } from "zod";
import type { ResolvedDestination } from "./destination";
import { fetchFailure, type ForwardInstance, type PacsAdapter, type StoreResult } from "./adapter";
import { sendStow } from "./stow-client";

const QidoInstances = z.array(
  z.object({ "00080018": z.object({ Value: z.array(z.string()).optional() }).optional() }),
);

export function stowAdapter(destination: ResolvedDestination): PacsAdapter {
  const baseUrl = destination.config.url.replace(/\/+$/, "");
  const timeoutMs = destination.config.timeoutSeconds * 1000;
  const headers = (accept: string): Record<string, string> => {
    const h: Record<string, string> = { accept };
    if (destination.authorization) h.authorization = destination.authorization;
    return h;
  };

  return {
    async store(batch): Promise<StoreResult> {
      const attempt = await sendStow(
        { baseUrl, authorization: destination.authorization, timeoutMs },
        batch,
      );
      if (attempt.kind === "failure") {
        return {
          kind: "failure",
          failure: attempt.failure,
          message: "The PACS could not be reached.",
        };
      }
      const { result, status } = attempt;
      if (result.kind === "too_large") return { kind: "too_large" };
      if (result.kind === "transient") {
        return { kind: "failure", failure: { kind: "http", status }, message: result.message };
      }
      const byUid = new Map(batch.map((i) => [i.sopInstanceUid, i.index]));
      return {
        kind: "answered",
        results: result.instances.flatMap((i) => {
          const index = byUid.get(i.sopInstanceUid);
          return index === undefined
            ? []
            : [
                {
                  index,
                  outcome: {
                    status: i.status,
                    sopInstanceUid: i.sopInstanceUid,
                    code: i.code,
                    message: i.message,
                  },
                },
              ];
        }),
      };
    },

    async confirm(instances: ForwardInstance[]) {
      const present = new Set<string>();
      const studies = new Set(instances.map((i) => i.studyInstanceUid));
      for (const study of studies) {
        const url = `${baseUrl}/studies/${encodeURIComponent(study)}/instances?includefield=00080018`;
        let response: Response;
        try {
          response = await fetch(url, {
            headers: headers("application/dicom+json"),
            signal: AbortSignal.timeout(timeoutMs),
          });
        } catch (error) {
          return { kind: "failure", failure: fetchFailure(error) };
        }
        if (response.status === 204 || response.status === 404) {
          await response.body?.cancel();
          continue;
        }
        if (response.status !== 200) {
          await response.body?.cancel();
          return { kind: "failure", failure: { kind: "http", status: response.status } };
        }
        const parsed = QidoInstances.safeParse(await response.json().catch(() => null));
        if (!parsed.success) return { kind: "failure", failure: { kind: "http", status: 502 } };
        for (const item of parsed.data) {
          const uid = item["00080018"]?.Value?.[0];
          if (uid) present.add(uid);
        }
      }
      return { kind: "checked", present };
    },
  };
}
