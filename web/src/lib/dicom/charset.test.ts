import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  FIXTURE_DIRS,
  fixtureBytes,
  hexBytes,
  manifest,
  value,
} from "../../../tests/fixtures/intake/load";
import { decoderFor } from "./charset";
import { parseHeader } from "./read-header";

const latin1Bytes = new Uint8Array([0x4a, 0xe9, 0x72, 0xf4, 0x6d, 0x65]); // "Jérôme" in Latin-1

describe("decoderFor", () => {
  it("ISO_IR 100 decodes Latin-1 bytes", () => {
    expect(decoderFor("ISO_IR 100")(latin1Bytes)).toBe("Jérôme");
  });

  it("the hyphenated spelling 'ISO-IR 100' is read as ISO_IR 100", () => {
    expect(decoderFor("ISO-IR 100")(latin1Bytes)).toBe("Jérôme");
  });

  it("ISO_IR 192 decodes UTF-8", () => {
    expect(decoderFor("ISO_IR 192")(new TextEncoder().encode("王^小東"))).toBe("王^小東");
  });

  it("a multi-valued term starts in its first value's set; an unknown term never throws", () => {
    expect(decoderFor("ISO 2022 IR 100\\ISO 2022 IR 87")(latin1Bytes)).toBe("Jérôme");
    expect(decoderFor("NOT A CHARSET")(new Uint8Array([0x41]))).toBe("A");
  });

  it("a writer that forgets to switch back before '^' still gets the next group right", () => {
    // ESC $ ) C designates Korean into G1; the group after '^' starts again in the initial sets.
    const bytes = new Uint8Array([0x1b, 0x24, 0x29, 0x43, 0xc8, 0xab, 0x5e, 0xe9]);
    expect(decoderFor("ISO 2022 IR 100\\ISO 2022 IR 149")(bytes)).toBe("홍^é");
  });
});

// The corpus lists every charset sample with its name bytes (hex), its Specific Character Set and
// the name as pydicom/dcmtk decoded it. Files from MS-PL origins are listed but not copied here.
const charsetRows = manifest("charset");

describe("every character set of the corpus decodes to the name the MANIFEST lists", () => {
  const withNames = charsetRows.filter((row) => value(row, "patient_name_utf8") !== undefined);

  it.each(withNames.map((row) => [row.path, row] as const))("%s (name bytes)", (_path, row) => {
    const bytes = hexBytes((value(row, "patient_name_bytes") ?? "").replace(/^hex:/, ""));
    const decode = decoderFor(value(row, "specific_charset") ?? "");
    expect(decode(bytes)).toBe(value(row, "patient_name_utf8"));
  });

  const copied = charsetRows.filter((row) =>
    existsSync(new URL(row.path.replace(/^charset\//, ""), FIXTURE_DIRS.charset)),
  );

  it("the MIT-licensed sample files are all here", () => {
    expect(copied.map((row) => row.path.replace(/^charset\//, "")).sort()).toEqual(
      charsetRows
        .filter((row) => (value(row, "license") ?? "").startsWith("MIT"))
        .map((row) => row.path.replace(/^charset\//, ""))
        .sort(),
    );
  });

  it.each(copied.map((row) => [row.path, row] as const))("%s (whole file)", (_path, row) => {
    const result = parseHeader(fixtureBytes("charset", row.path.replace(/^charset\//, "")));
    expect(result.kind).toBe("dicom");
    expect(result.kind === "dicom" && result.header.patientName).toBe(
      value(row, "patient_name_utf8") ?? "",
    );
  });
});
