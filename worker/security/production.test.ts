import { describe, expect, it } from "vitest";
import { productionProblems } from "./production";

const strong = "a".repeat(64);

describe("productionProblems", () => {
  it("is lenient outside production", () => {
    expect(
      productionProblems({ ENVIRONMENT: "development", PACS_URL: "http://127.0.0.1:8042" }),
    ).toEqual([]);
  });

  it("accepts an https PACS and a long key", () => {
    expect(
      productionProblems({
        ENVIRONMENT: "production",
        PACS_URL: "https://pacs.example.org/dicom-web",
        JWT_SECRET: strong,
      }),
    ).toEqual([]);
  });

  it("refuses plain http, loopback and short keys, each in words", () => {
    expect(
      productionProblems({
        ENVIRONMENT: "production",
        PACS_URL: "http://pacs",
        JWT_SECRET: strong,
      }),
    ).toEqual([expect.stringMatching(/https/)]);
    expect(
      productionProblems({
        ENVIRONMENT: "production",
        PACS_URL: "https://127.0.0.1/x",
        JWT_SECRET: strong,
      }),
    ).toEqual([expect.stringMatching(/loopback/)]);
    expect(
      productionProblems({
        ENVIRONMENT: "production",
        PACS_URL: "https://p.org",
        JWT_SECRET: "short",
      }),
    ).toEqual([expect.stringMatching(/64 characters/)]);
  });
});
