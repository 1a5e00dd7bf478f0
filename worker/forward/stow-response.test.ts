import { describe, expect, it } from "vitest";
import { parseStowResponse } from "./stow-response";

const A = "1.2.3.1";
const B = "1.2.3.2";
const C = "1.2.3.3";
const D = "1.2.3.4";

/** A Referenced (or Failed) SOP Sequence item as DICOM JSON. */
const ref = (uid: string, warning?: number | string) => ({
  "00081150": { vr: "UI", Value: ["1.2.840.10008.5.1.4.1.1.2"] },
  "00081155": { vr: "UI", Value: [uid] },
  "00081190": { vr: "UR", Value: [`https://pacs/studies/9/series/8/instances/${uid}`] },
  ...(warning === undefined ? {} : { "00081196": { vr: "US", Value: [warning] } }),
});
const fail = (uid: string, reason?: number | string) => ({
  "00081150": { vr: "UI", Value: ["1.2.840.10008.5.1.4.1.1.2"] },
  "00081155": { vr: "UI", Value: [uid] },
  ...(reason === undefined ? {} : { "00081197": { vr: "US", Value: [reason] } }),
});
const body = (referenced?: unknown[], failed?: unknown[]) =>
  JSON.stringify({
    "00081190": { vr: "UR", Value: ["https://pacs/studies/9"] },
    ...(referenced ? { "00081199": { vr: "SQ", Value: referenced } } : {}),
    ...(failed ? { "00081198": { vr: "SQ", Value: failed } } : {}),
  });
const statuses = (r: ReturnType<typeof parseStowResponse>) =>
  r.instances.map((i) => `${i.status}${i.code ? ` ${i.code}` : ""}`);

describe("parseStowResponse for 200", () => {
  it("marks every instance listed in the Referenced SOP Sequence as stored", () => {
    const r = parseStowResponse(200, body([ref(A), ref(B)]), [A, B]);
    expect(r).toMatchObject({ kind: "ok", message: "The PACS stored all 2 images." });
    expect(r.instances).toEqual([
      { sopInstanceUid: A, status: "stored", message: "Stored in the PACS." },
      { sopInstanceUid: B, status: "stored", message: "Stored in the PACS." },
    ]);
  });

  it("marks an instance with a Warning Reason as warning, with the code in hex and a sentence", () => {
    const r = parseStowResponse(200, body([ref(A, 0xb000), ref(B)]), [A, B]);
    expect(r.kind).toBe("ok");
    expect(r.message).toBe("The PACS stored all 2 images, 1 of them with a warning.");
    expect(r.instances[0]).toEqual({
      sopInstanceUid: A,
      status: "warning",
      code: "B000",
      message: expect.stringMatching(/^Stored, but .*changed/),
    });
  });

  it.each([
    ["an empty body", ""],
    ["an HTML page", "<html><body>OK</body></html>"],
    ["a JSON object without a Referenced SOP Sequence", "{}"],
    ["JSON that is not DICOM JSON", '"stored"'],
  ])("counts every instance as stored when a 200 comes with %s", (_, text) => {
    const r = parseStowResponse(200, text, [A, B]);
    expect(r.kind).toBe("ok");
    expect(statuses(r)).toEqual(["stored", "stored"]);
  });

  it("fails, as not acknowledged, an instance a 200 body leaves out of its Referenced SOP Sequence", () => {
    const r = parseStowResponse(200, body([ref(A)]), [A, B]);
    expect(r.kind).toBe("partial");
    expect(statuses(r)).toEqual(["stored", "failed not_acknowledged"]);
    expect(r.instances[1]?.message).toMatch(/did not confirm this image/);
  });

  it("reads a body sent as an array holding one data set", () => {
    const r = parseStowResponse(200, `[${body([ref(A, 0xb006)])}]`, [A]);
    expect(r).toMatchObject({ kind: "ok", message: "The PACS stored the image, with a warning." });
    expect(statuses(r)).toEqual(["warning B006"]);
  });

  it("still reports the failures a 200 body lists, though the standard says it should not", () => {
    expect(statuses(parseStowResponse(200, body([ref(A)], [fail(B, 0x0110)]), [A, B]))).toEqual([
      "stored",
      "failed 0110",
    ]);
  });
});

describe("parseStowResponse for 202", () => {
  it("maps a mix of stored, warning, failed and unacknowledged instances one by one", () => {
    const r = parseStowResponse(202, body([ref(A), ref(B, 0xb007)], [fail(C, 0xc122)]), [
      A,
      B,
      C,
      D,
    ]);
    expect(r.kind).toBe("partial");
    expect(r.message).toBe(
      "The PACS stored 2 of 4 images; each file says why the others were not stored.",
    );
    expect(statuses(r)).toEqual([
      "stored",
      "warning B007",
      "failed C122",
      "failed not_acknowledged",
    ]);
    expect(r.instances[2]?.message).toMatch(
      /cannot read the compression .*transfer syntax not supported/,
    );
  });

  it("reports a 202 whose instances were all stored, some with warnings, as ok", () => {
    const r = parseStowResponse(202, body([ref(A, 0xb000), ref(B)]), [A, B]);
    expect(r.kind).toBe("ok");
    expect(statuses(r)).toEqual(["warning B000", "stored"]);
  });

  it("does not count unlisted instances as stored when a 202 comes with an empty body", () => {
    expect(statuses(parseStowResponse(202, "", [A]))).toEqual(["failed not_acknowledged"]);
  });

  it("gives a failure without a Failure Reason a sentence of its own", () => {
    const r = parseStowResponse(202, body([ref(A)], [fail(B)]), [A, B]);
    expect(r.instances[1]).toMatchObject({
      status: "failed",
      message: expect.stringMatching(/without giving a reason/),
    });
    expect(r.instances[1]?.code).toBeUndefined();
  });
});

describe("parseStowResponse for refusals", () => {
  it("maps a 409 with a Failed SOP Sequence per instance and fails the rest with the batch reason", () => {
    const r = parseStowResponse(409, body(undefined, [fail(A, 0x0122), fail(B, 0xa900)]), [
      A,
      B,
      C,
    ]);
    expect(r.kind).toBe("permanent");
    expect(r.message).toMatch(
      /^The PACS refused these images because they conflict with what it already holds or what it accepts\. Each file/,
    );
    expect(statuses(r)).toEqual(["failed 0122", "failed A900", "failed http_409"]);
    expect(r.instances[0]?.message).toBe(
      "The PACS does not accept this kind of image (SOP class not supported). Ask your PACS administrator to enable it.",
    );
    expect(r.instances[2]?.message).toBe(
      "The PACS refused these images because they conflict with what it already holds or what it accepts.",
    );
  });

  it.each([400, 409])("fails every instance of a %i without a body as permanent", (status) => {
    const r = parseStowResponse(status, "", [A, B]);
    expect(r.kind).toBe("permanent");
    expect(statuses(r)).toEqual([`failed http_${status}`, `failed http_${status}`]);
  });

  it("trusts a refusal's body where it says an instance was stored after all", () => {
    expect(parseStowResponse(409, body([ref(A)], [fail(B, 0x0111)]), [A, B]).kind).toBe("partial");
  });

  it("reports a 413 as too large, so the sender can split the batch", () => {
    const r = parseStowResponse(413, "<html>Request Entity Too Large</html>", [A, B]);
    expect(r).toMatchObject({
      kind: "too_large",
      message: expect.stringMatching(/too large.*smaller batches/),
    });
    expect(statuses(r)).toEqual(["failed http_413", "failed http_413"]);
  });

  it("reports a 415 as permanent, with a message about the media type", () => {
    expect(parseStowResponse(415, "", [A])).toMatchObject({
      kind: "permanent",
      message: expect.stringMatching(/media type application\/dicom/),
    });
  });

  it.each([408, 425, 429, 500, 502, 503, 504])(
    "reports a %i as transient, to be retried automatically",
    (status) => {
      const r = parseStowResponse(status, body(undefined, [fail(A, 0x0110)]), [A]);
      expect(r).toMatchObject({
        kind: "transient",
        message: expect.stringMatching(/try again automatically/),
      });
      expect(statuses(r)).toEqual([`failed http_${status}`]);
    },
  );

  it.each([
    [401, /user name and password/],
    [403, /forbidden/],
    [404, /PACS URL/],
    [422, /HTTP 422/],
    [301, /redirects/],
  ])(
    "reports any other %i as permanent, with a sentence that says what to check",
    (status, words) => {
      expect(parseStowResponse(status, "", [A])).toMatchObject({
        kind: "permanent",
        message: expect.stringMatching(words),
      });
    },
  );
});

describe("parseStowResponse on odd bodies", () => {
  it.each([
    ["a number", 49442],
    ["4 hex digits", "C122"],
    ["0x-prefixed hex", "0xc122"],
    ["a decimal string", "49442"],
  ])("reads a Failure Reason given as %s", (_, reason) => {
    expect(statuses(parseStowResponse(202, body([ref(A)], [fail(B, reason)]), [A, B]))[1]).toBe(
      "failed C122",
    );
  });

  it("drops items it cannot read, one by one, without losing the others", () => {
    const odd = [
      { "00081155": { vr: "UI" } },
      { "00081155": { vr: "UI", Value: [42] } },
      "x",
      null,
    ];
    const text = body(
      [...odd, ref(A)],
      [...odd, fail(B, 0xa700), fail(C, { not: "a code" } as unknown as number)],
    );
    const r = parseStowResponse(202, text, [A, B, C, D]);
    expect(statuses(r)).toEqual(["stored", "failed A700", "failed", "failed not_acknowledged"]);
  });

  it("ignores instances the PACS names that were not in this request", () => {
    expect(parseStowResponse(200, body([ref(A), ref(D)]), [A]).instances).toHaveLength(1);
  });

  it("treats a sequence with no Value as empty", () => {
    const text = JSON.stringify({ "00081199": { vr: "SQ" }, "00081198": { vr: "SQ" } });
    expect(statuses(parseStowResponse(200, text, [A]))).toEqual(["failed not_acknowledged"]);
  });
});
