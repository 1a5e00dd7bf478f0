// Which PACS a clinic's studies go to, with its credentials looked up in the worker's secrets.
// A clinic without a destination of its own uses the deployment's default (PACS_URL and friends).
import { DestinationConfig, type Destination } from "../contract";
import { AppError } from "../errors";

export const DEFAULT_DESTINATION_ID = "default";

export interface ResolvedDestination {
  id: string;
  config: DestinationConfig;
  /** The HTTP Authorization header value, when the destination uses one. */
  authorization?: string;
}

const text = (value: unknown) => (typeof value === "string" ? value : "");

/** The deployment's default destination, from wrangler vars and secrets. */
export function defaultDestination(env: Env): Destination {
  const user = text(env.PACS_USERNAME);
  const token = text(env.PACS_BEARER_TOKEN);
  const config = DestinationConfig.parse({
    name: "Default PACS",
    adapter: "stow-rs",
    url: env.PACS_URL.replace(/\/+$/, ""),
    auth: token
      ? { kind: "bearer", tokenSecret: "PACS_BEARER_TOKEN" }
      : user
        ? { kind: "basic", username: user, passwordSecret: "PACS_PASSWORD" }
        : { kind: "none" },
    batchBytes: Number(env.STOW_BATCH_BYTES) || undefined,
    batchInstances: Number(env.STOW_BATCH_INSTANCES) || undefined,
    sopClassAllowList: text(env.SOP_CLASS_ALLOW_LIST)
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    confirmReceipt: text(env.PACS_CONFIRM_RECEIPT) !== "false",
  });
  return { id: DEFAULT_DESTINATION_ID, config };
}

function secret(env: Env, name: string, destination: string): string {
  const value = text((env as unknown as Record<string, unknown>)[name]);
  if (!value) {
    throw new AppError(
      "destination_misconfigured",
      `The PACS destination "${destination}" needs the secret ${name}, which is not set. Ask your administrator to set it (wrangler secret put ${name}).`,
    );
  }
  return value;
}

/** Adds the Authorization header value; throws a plain AppError when a secret is missing. */
export function resolveAuth(env: Env, d: Destination): ResolvedDestination {
  const auth = d.config.auth;
  switch (auth.kind) {
    case "none":
      return { id: d.id, config: d.config };
    case "basic":
      return {
        id: d.id,
        config: d.config,
        authorization: `Basic ${btoa(`${auth.username}:${secret(env, auth.passwordSecret, d.config.name)}`)}`,
      };
    case "bearer":
      return {
        id: d.id,
        config: d.config,
        authorization: `Bearer ${secret(env, auth.tokenSecret, d.config.name)}`,
      };
  }
}

/** The destination a clinic forwards to (its own, or the default), without credentials. */
export async function destinationFor(env: Env, clinicId: string): Promise<Destination> {
  const row = await env.DB.prepare(
    "SELECT d.id AS id, d.config AS config FROM clinics c JOIN destinations d ON d.id = c.destination_id WHERE c.id = ?",
  )
    .bind(clinicId)
    .first<{ id: string; config: string }>();
  if (!row) return defaultDestination(env);
  const parsed = DestinationConfig.safeParse(JSON.parse(row.config));
  if (!parsed.success) {
    throw new AppError(
      "destination_misconfigured",
      "This clinic's PACS destination is not set up correctly. Ask your administrator to check it.",
    );
  }
  return { id: row.id, config: parsed.data };
}
