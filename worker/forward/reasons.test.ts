import { describe, expect, it } from "vitest";
import { batchStatusMessage, formatReasonCode, reasonMessage } from "./reasons";

describe("formatReasonCode", () => {
  it("writes a US status as the standard does: 4 uppercase hex digits", () => {
    expect([0x0110, 0x0122, 0xc122, 0xa700, 0xb000, 0x0001].map(formatReasonCode)).toEqual([
      "0110",
      "0122",
      "C122",
      "A700",
      "B000",
      "0001",
    ]);
  });
});

describe("reasonMessage", () => {
  it.each([
    ["0110", /processing failure/],
    [
      "0122",
      /^The PACS does not accept this kind of image \(SOP class not supported\)\. Ask your PACS administrator to enable it\.$/,
    ],
    ["0124", /not authorised/],
    ["C122", /transfer syntax not supported/],
    ["B000", /^Stored, but .*coerced/],
    ["B006", /^Stored, but .*discarded/],
    ["B007", /^Stored, but .*SOP class/],
  ])("explains code %s in plain words", (code, words) => {
    expect(reasonMessage(code)).toMatch(words);
  });

  it.each([
    ["A700", /out of resources/],
    ["A7FF", /out of resources/],
    ["A770", /out of resources/],
    ["A9FE", /does not match SOP class/],
    ["C000", /cannot understand/],
    ["CFFF", /cannot understand/],
    ["B123", /^Stored, with a warning/],
  ])("explains %s by the range of codes it belongs to", (code, words) => {
    expect(reasonMessage(code)).toMatch(words);
  });

  it("keeps the specific sentence for C122 rather than the Cxxx one, whatever the letter case", () => {
    expect(reasonMessage("c122")).toBe(reasonMessage("C122"));
    expect(reasonMessage("C122")).not.toBe(reasonMessage("C123"));
  });

  it("names an unknown code and says whom to ask", () => {
    expect(reasonMessage("0213")).toMatch(/resources/);
    expect(reasonMessage("0999")).toBe(
      "The PACS refused this image (reason code 0999). Ask your PACS administrator what this code means.",
    );
  });
});

describe("batchStatusMessage", () => {
  it("gives the agreed sentences for 409, 413 and 5xx", () => {
    expect(batchStatusMessage(409)).toBe(
      "The PACS refused these images because they conflict with what it already holds or what it accepts.",
    );
    expect(batchStatusMessage(413)).toMatch(/too large/);
    for (const s of [500, 502, 503, 599])
      expect(batchStatusMessage(s)).toBe(
        "The PACS had a problem; RelayPACS will try again automatically.",
      );
  });

  it("ends every sentence with a full stop and never leaves a status unexplained", () => {
    for (let s = 100; s < 600; s++) expect(batchStatusMessage(s)).toMatch(/^The PACS\b.+\.$/);
  });
});
