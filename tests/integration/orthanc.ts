// Reads back what the real Orthanc started by the test runner holds (REST API, basic auth).
import { env } from "cloudflare:test";

function orthanc(): { url: string; auth: string } {
  if (!env.ORTHANC_URL) {
    throw new Error("ORTHANC_URL is not set: run the suite with `npm test`, which starts Orthanc.");
  }
  return {
    url: env.ORTHANC_URL,
    auth: `Basic ${btoa(`${env.PACS_USERNAME}:${env.PACS_PASSWORD}`)}`,
  };
}

/** The stored bytes of the instance with this SOP Instance UID, or null if Orthanc lacks it. */
export async function storedInstance(sopInstanceUid: string): Promise<Uint8Array | null> {
  const { url, auth } = orthanc();
  const found = await fetch(`${url}/tools/lookup`, {
    method: "POST",
    headers: { authorization: auth },
    body: sopInstanceUid,
  });
  const hits = await found.json<Array<{ ID: string; Type: string }>>();
  const hit = hits.find((h) => h.Type === "Instance");
  if (!hit) return null;
  const file = await fetch(`${url}/instances/${hit.ID}/file`, { headers: { authorization: auth } });
  return new Uint8Array(await file.arrayBuffer());
}

export async function deleteFromOrthanc(sopInstanceUid: string): Promise<void> {
  const { url, auth } = orthanc();
  const found = await fetch(`${url}/tools/lookup`, {
    method: "POST",
    headers: { authorization: auth },
    body: sopInstanceUid,
  });
  const hits = await found.json<Array<{ ID: string; Type: string }>>();
  for (const h of hits.filter((x) => x.Type === "Instance")) {
    await fetch(`${url}/instances/${h.ID}`, { method: "DELETE", headers: { authorization: auth } });
  }
}
