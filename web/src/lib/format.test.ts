import { describe, expect, it } from "vitest";
import { formatBytes, formatPersonName, formatStudyDate } from "./format";

describe("format", () => {
  it("sizes read like a phone's file manager", () => {
    expect(formatBytes(0)).toBe("0 bytes");
    expect(formatBytes(999)).toBe("999 bytes");
    expect(formatBytes(39_206)).toBe("39.2 KB");
    expect(formatBytes(1_400_000_000)).toBe("1.4 GB");
    expect(formatBytes(250_000_000)).toBe("250 MB");
  });

  it("a study date spells out the month", () => {
    expect(formatStudyDate("2004-01-19")).toBe("19 Jan 2004");
    expect(formatStudyDate("")).toBe("");
  });

  it("a person name reads family name first, then the given names", () => {
    expect(formatPersonName("Buc^Jérôme")).toBe("Buc, Jérôme");
    expect(formatPersonName("Doe^Jane^Q^Dr^III")).toBe("Doe, Dr Jane Q III");
    expect(formatPersonName("Anonymized")).toBe("Anonymized");
    expect(formatPersonName("=山田^太郎=やまだ^たろう")).toBe("山田, 太郎");
    expect(formatPersonName("")).toBe("");
  });
});
