// Where a clinic's studies go: one PACS destination per clinic (admins may keep several and switch
// a clinic between them). Credentials are never stored here: a destination names the worker
// secret that holds its password or token (`wrangler secret put NAME`).
import { z } from "zod";

export const AdapterKind = z.enum(["stow-rs", "orthanc-rest", "c-store"]);
export type AdapterKind = z.infer<typeof AdapterKind>;

const SecretName = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]{0,63}$/, "a worker secret name in capitals, e.g. PACS_NORTH_PASSWORD");
const AeTitle = z
  .string()
  .regex(/^[\x20-\x5b\x5d-\x7e]{1,16}$/, "1 to 16 printable characters, no backslash")
  .refine((s) => s.trim().length > 0, "not only spaces");

export const DestinationAuth = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("none") }),
  z.object({ kind: z.literal("basic"), username: z.string().min(1), passwordSecret: SecretName }),
  z.object({ kind: z.literal("bearer"), tokenSecret: SecretName }),
]);
export type DestinationAuth = z.infer<typeof DestinationAuth>;

export const DestinationConfig = z
  .object({
    name: z.string().min(1).max(100),
    adapter: AdapterKind,
    /** stow-rs: the DICOMweb root (…/dicom-web); orthanc-rest: Orthanc's root; c-store: host:port. */
    url: z.string().min(1).max(500),
    auth: DestinationAuth.default({ kind: "none" }),
    batchBytes: z
      .number()
      .int()
      .min(1024 * 1024)
      .max(500 * 1024 * 1024)
      .default(50 * 1024 * 1024),
    batchInstances: z.number().int().min(1).max(1000).default(100),
    /** SOP Class UIDs the PACS accepts; empty: every storage SOP class. */
    sopClassAllowList: z
      .array(z.string().regex(/^[0-9.]{1,64}$/))
      .max(500)
      .default([]),
    /** After a store, check that the PACS holds each instance before calling it delivered. */
    confirmReceipt: z.boolean().default(true),
    timeoutSeconds: z.number().int().min(5).max(900).default(120),
    callingAeTitle: AeTitle.default("RELAYPACS"),
    calledAeTitle: AeTitle.default("ANY-SCP"),
  })
  .superRefine((d, ctx) => {
    if (d.adapter === "c-store") {
      if (!/^[A-Za-z0-9.-]+:\d{1,5}$/.test(d.url))
        ctx.addIssue({ code: "custom", path: ["url"], message: "host:port for C-STORE" });
      if (d.auth.kind !== "none")
        ctx.addIssue({ code: "custom", path: ["auth"], message: "C-STORE has no HTTP auth" });
    } else if (!/^https?:\/\/[^\s]+$/.test(d.url)) {
      ctx.addIssue({ code: "custom", path: ["url"], message: "an http(s) URL" });
    }
  });
export type DestinationConfig = z.infer<typeof DestinationConfig>;

export const Destination = z.object({ id: z.string(), config: DestinationConfig });
export type Destination = z.infer<typeof Destination>;
