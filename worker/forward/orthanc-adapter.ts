// Orthanc's own REST API, for Orthanc servers without the DICOMweb plugin: `POST /instances` with
// one Part 10 file per request; receipt confirmed with `POST /tools/lookup` by SOP Instance UID.
import { z } from "zod";
import type { InstanceOutcome } from "../contract";
import type { ResolvedDestination } from "./destination";
import {
  fetchFailure,
  fixedLength,
  type ForwardInstance,
  type InstanceResult,
  type PacsAdapter,
  type StoreResult,
} from "./adapter";
import { STORED_MESSAGE } from "./reasons";

const StoreAnswer = z.object({ ID: z.string(), Status: z.string().optional() });
const LookupAnswer = z.array(z.object({ Type: z.string() }));

function isTransientStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

export function orthancRestAdapter(destination: ResolvedDestination): PacsAdapter {
  const baseUrl = destination.config.url.replace(/\/+$/, "");
  const timeoutMs = destination.config.timeoutSeconds * 1000;
  const headers = (extra: Record<string, string> = {}): Record<string, string> => {
    const h: Record<string, string> = { ...extra };
    if (destination.authorization) h.authorization = destination.authorization;
    return h;
  };

  async function storeOne(instance: ForwardInstance): Promise<InstanceOutcome | StoreResult> {
    const { body, piping } = fixedLength(await instance.open(), instance.size);
    let response: Response;
    try {
      response = await fetch(`${baseUrl}/instances`, {
        method: "POST",
        headers: headers({ "content-type": "application/dicom", accept: "application/json" }),
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      return {
        kind: "failure",
        failure: fetchFailure(error),
        message: "The PACS could not be reached.",
      };
    }
    const text = await response.text();
    await piping;
    const uid = instance.sopInstanceUid;
    if (response.status === 413) return { kind: "too_large" };
    if (isTransientStatus(response.status) || response.status === 401 || response.status === 403) {
      const message =
        response.status === 401 || response.status === 403
          ? "The PACS refused RelayPACS's credentials. Ask your administrator to check them."
          : "The PACS had a problem storing the images. RelayPACS will try again.";
      return { kind: "failure", failure: { kind: "http", status: response.status }, message };
    }
    if (response.status === 200) {
      let answer: z.infer<typeof StoreAnswer> | undefined;
      try {
        answer = StoreAnswer.parse(JSON.parse(text));
      } catch {
        answer = undefined;
      }
      if (answer?.Status === "AlreadyStored") {
        return {
          status: "stored",
          sopInstanceUid: uid,
          code: "already_stored",
          message: "The PACS already held this image.",
        };
      }
      if (answer) return { status: "stored", sopInstanceUid: uid, message: STORED_MESSAGE };
    }
    return {
      status: "failed",
      sopInstanceUid: uid,
      code: `http_${response.status}`,
      message:
        response.status === 400
          ? "The PACS could not read this image as DICOM. Export it again from the system that made it."
          : `The PACS refused this image (HTTP ${response.status}). Ask your PACS administrator.`,
    };
  }

  return {
    async store(batch): Promise<StoreResult> {
      const results: InstanceResult[] = [];
      for (const instance of batch) {
        const outcome = await storeOne(instance);
        if ("kind" in outcome) {
          // Keep what the PACS already confirmed; the rest is retried.
          if (outcome.kind === "too_large") {
            results.push({
              index: instance.index,
              outcome: {
                status: "failed",
                sopInstanceUid: instance.sopInstanceUid,
                code: "too_large",
                message:
                  "This image is larger than the PACS (or a proxy in front of it) accepts. Ask your PACS administrator to raise the limit.",
              },
            });
            continue;
          }
          if (outcome.kind === "failure") {
            return results.length > 0
              ? { kind: "answered", results, failure: outcome.failure }
              : outcome;
          }
          continue;
        }
        results.push({ index: instance.index, outcome });
      }
      return { kind: "answered", results };
    },

    async confirm(instances) {
      const present = new Set<string>();
      for (const instance of instances) {
        let response: Response;
        try {
          response = await fetch(`${baseUrl}/tools/lookup`, {
            method: "POST",
            headers: headers({ "content-type": "text/plain" }),
            body: instance.sopInstanceUid,
            signal: AbortSignal.timeout(timeoutMs),
          });
        } catch (error) {
          return { kind: "failure", failure: fetchFailure(error) };
        }
        if (response.status !== 200) {
          await response.body?.cancel();
          return { kind: "failure", failure: { kind: "http", status: response.status } };
        }
        const hits = LookupAnswer.safeParse(await response.json().catch(() => null));
        if (hits.success && hits.data.some((h) => h.Type === "Instance"))
          present.add(instance.sopInstanceUid);
      }
      return { kind: "checked", present };
    },
  };
}
