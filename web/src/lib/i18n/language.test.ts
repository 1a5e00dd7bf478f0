import { describe, expect, it } from "vitest";
import { en } from "./en";
import { fr } from "./fr";
import { pickLanguage } from "./language";

describe("pickLanguage", () => {
  it("a language chosen on this device wins over the browser's", () => {
    expect(pickLanguage("fr", ["en-GB"])).toBe("fr");
  });

  it("follows the browser's first language we have, by its base", () => {
    expect(pickLanguage(null, ["de-DE", "fr-CA", "en"])).toBe("fr");
    expect(pickLanguage("xx", ["en-US"])).toBe("en");
  });

  it("falls back to English", () => {
    expect(pickLanguage(null, ["de", "ja"])).toBe("en");
  });
});

describe("the catalogs", () => {
  it("French has every key English has, and no text left in English", () => {
    expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort());
    const same = Object.entries(en)
      .filter(([key, value]) => typeof value === "string" && fr[key as keyof typeof fr] === value)
      .map(([key]) => key);
    // Words French shares with English.
    expect(same.sort()).toEqual(["study.description", "study.instances", "study.patient"]);
  });

  it("sizes and dates read the way each language writes them", () => {
    expect(en.bytes(1_400_000)).toBe("1.4 MB");
    expect(fr.bytes(1_400_000)).toBe("1,4 Mo");
    expect(en.date("2004-01-19")).toBe("19 Jan 2004");
    expect(fr.date("2004-01-19")).toMatch(/^19 janv\.? 2004$/);
  });

  it("a warning reads the same facts in both languages", () => {
    const detail = {
      code: "instance-gap",
      series: { number: 3, modality: "CT", description: "Axial" },
      missing: [4, 7, 8, 9],
      found: 6,
      min: 1,
      max: 10,
    } as const;
    const gap = { ...detail, missing: [...detail.missing], series: { ...detail.series } };
    expect(en.warning(gap)).toBe(
      "Series 3 (CT, Axial): 4 images seem to be missing (numbers 4 and 7 to 9; 6 of 1 to 10 found).",
    );
    expect(fr.warning(gap)).toBe(
      "Série 3 (CT, Axial)\u00a0: 4 images semblent manquer (numéros 4 et 7 à 9\u00a0; 6 trouvées entre 1 et 10).",
    );
  });
});
