import { describe, expect, it } from "vitest";
import { probeInstance } from "./probe";
import { bytesSource, fixtureBytes } from "./test-support/sources";

const CT = fixtureBytes("transfer_syntax/explicit_vr_le/CT_small.dcm");

describe("probing a stored file before the association", () => {
  for (const chunk of [1, 13, 4096, 1 << 20]) {
    it(`reads the header from chunks of ${chunk} bytes`, async () => {
      const result = await probeInstance(bytesSource(0, CT, chunk));
      expect(result).toMatchObject({
        ok: true,
        info: {
          sopInstanceUid: "1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322",
          transferSyntaxUid: "1.2.840.10008.1.2.1",
        },
      });
    });
  }

  it("reads only the start of the file and cancels the stream", async () => {
    let pulled = 0;
    let cancelled = false;
    const source = {
      fileIndex: 0,
      size: 50_000_000,
      open: () =>
        Promise.resolve(
          new ReadableStream<Uint8Array>({
            pull(c) {
              c.enqueue(pulled === 0 ? CT.slice(0, 4096) : new Uint8Array(4096));
              pulled++;
            },
            cancel() {
              cancelled = true;
            },
          }),
        ),
    };
    expect((await probeInstance(source)).ok).toBe(true);
    expect(pulled).toBeLessThanOrEqual(2);
    expect(cancelled).toBe(true);
  });

  it("a file whose stream cannot be opened or read fails with file_error", async () => {
    const unopenable = { fileIndex: 0, size: 10, open: () => Promise.reject(new Error("R2 down")) };
    expect(await probeInstance(unopenable)).toMatchObject({
      ok: false,
      code: "file_error",
      reason: expect.stringMatching(/Upload the file again/),
    });
    const erroring = {
      fileIndex: 0,
      size: 10,
      open: () =>
        Promise.resolve(
          new ReadableStream<Uint8Array>({ pull: (c) => c.error(new Error("boom")) }),
        ),
    };
    expect(await probeInstance(erroring)).toMatchObject({ ok: false, code: "file_error" });
  });

  it("a stored file shorter than its recorded size fails with file_error", async () => {
    const source = { ...bytesSource(0, CT.subarray(0, 140)), size: CT.length };
    expect(await probeInstance(source)).toMatchObject({ ok: false, code: "file_error" });
  });

  it("a file that is not DICOM fails with not_dicom and a plain reason", async () => {
    const png = new Uint8Array(300).fill(0x89);
    expect(await probeInstance(bytesSource(0, png))).toMatchObject({
      ok: false,
      code: "not_dicom",
      reason: expect.stringMatching(/not a DICOM object/),
    });
  });
});
