import { describe, expect, it } from "vitest";
import { decoderFor } from "./charset";

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

  it("a multi-valued term uses its first value; an unknown term never throws", () => {
    expect(decoderFor("ISO 2022 IR 100\\ISO 2022 IR 87")(latin1Bytes)).toBe("Jérôme");
    expect(decoderFor("NOT A CHARSET")(new Uint8Array([0x41]))).toBe("A");
  });
});
