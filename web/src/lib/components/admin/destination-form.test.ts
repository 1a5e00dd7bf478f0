import { describe, expect, it } from "vitest";
import { DestinationConfig } from "../../session/contract";
import { configOf, fieldsOf, type DestinationFields } from "./destination-form";

const base = (): DestinationFields =>
  fieldsOf(
    DestinationConfig.parse({
      name: "North PACS",
      adapter: "stow-rs",
      url: "https://pacs.north.example/dicom-web",
    }),
  );

describe("destination form", () => {
  it("round-trips a config, counting the batch size in MiB", () => {
    const fields = base();
    expect(fields.batchMegabytes).toBe("50");
    const result = configOf({
      ...fields,
      authKind: "basic",
      username: "relay",
      passwordSecret: "PACS_NORTH_PASSWORD",
    });
    expect(result).toMatchObject({
      ok: true,
      config: {
        batchBytes: 50 * 1024 * 1024,
        auth: { kind: "basic", username: "relay", passwordSecret: "PACS_NORTH_PASSWORD" },
      },
    });
  });

  it("puts each problem beside its field, in words", () => {
    const result = configOf({
      ...base(),
      name: "",
      url: "pacs.north.example",
      authKind: "bearer",
      tokenSecret: "lower-case",
      batchMegabytes: "900",
      timeoutSeconds: "",
      sopClasses: "1.2.840.10008.5.1.4.1.1.2\nCT Image",
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual({
      name: "Give the destination a name (up to 100 characters).",
      url: "An http(s) URL",
      tokenSecret: "A worker secret name in capitals, e.g. PACS_NORTH_PASSWORD",
      batchMegabytes: "A number from 1 to 500.",
      timeoutSeconds: "A whole number of seconds from 5 to 900.",
      sopClasses: '"CT" is not a SOP Class UID (digits and dots).',
    });
  });

  it("C-STORE takes host:port and AE titles, and never HTTP auth", () => {
    const result = configOf({
      ...base(),
      adapter: "c-store",
      url: "pacs.local:104",
      authKind: "basic",
      callingAeTitle: "RELAY",
      calledAeTitle: "PACS\\X",
    });
    expect(result).toEqual({
      ok: false,
      errors: { calledAeTitle: "1 to 16 printable characters, no backslash" },
    });
  });
});
