import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { photoProblem } from "./photo-check";

const photo = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../../tests/fixtures/photos/${name}`, import.meta.url)));

describe("photoProblem", () => {
  it("baseline JPEGs and PNGs can be sent", () => {
    for (const name of [
      "gray-baseline.jpg",
      "color-canvas-420.jpg",
      "rgba16.png",
      "palette4.png",
    ]) {
      expect(photoProblem(photo(name)), name).toBeNull();
    }
  });

  it("names what the writer would refuse, before anything is written", () => {
    expect(photoProblem(photo("progressive.jpg"))).toBe("progressive-jpeg");
    expect(photoProblem(photo("extended-8bit.jpg"))).toBe("high-bit-depth-jpeg");
    expect(photoProblem(photo("gray8.png").subarray(0, 60))).toBe("damaged-photo");
    const heic = new Uint8Array([0, 0, 0, 24, ...new TextEncoder().encode("ftypheic"), 0, 0]);
    expect(photoProblem(heic)).toBe("heic-photo");
    expect(photoProblem(new TextEncoder().encode("hello"))).toBe("not-a-photo");
  });
});
