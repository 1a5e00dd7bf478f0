import { describe, expect, it } from "vitest";
import { batchParts, buildStowBody, StowPartSizeMismatch, type StowPart } from "./stow-body";

const text = new TextEncoder();

/** A part whose stream yields `chunks`; `log` records opens and reads in order. */
function part(chunks: string[], log: string[] = [], name = "p", size?: number): StowPart {
  const bytes = chunks.map((c) => text.encode(c));
  return {
    size: size ?? bytes.reduce((n, b) => n + b.length, 0),
    open: async () => {
      log.push(`open ${name}`);
      let i = 0;
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          const next = bytes[i++];
          if (next) controller.enqueue(next);
          else controller.close();
        },
        cancel() {
          log.push(`cancel ${name}`);
        },
      });
    },
  };
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new TextDecoder().decode(new Uint8Array(await new Response(stream).arrayBuffer()));
}

describe("buildStowBody", () => {
  it("frames each file as one application/dicom part and closes the multipart body", async () => {
    const { body, contentType } = buildStowBody(
      [part(["DI", "CM1"]), part([]), part(["abc"])],
      "B",
    );
    expect(contentType).toBe('multipart/related; type="application/dicom"; boundary=B');
    const head = "--B\r\nContent-Type: application/dicom\r\n\r\n";
    expect(await readAll(body)).toBe(`${head}DICM1\r\n${head}\r\n${head}abc\r\n--B--\r\n`);
  });

  it("announces a content length equal to the bytes it streams, with the random boundary too", async () => {
    const parts = [part(["x".repeat(1000)]), part(["y", "z".repeat(70_000)])];
    const { body, contentLength } = buildStowBody(parts);
    expect(contentLength).toBe((await new Response(body).arrayBuffer()).byteLength);
  });

  it("draws a fresh random boundary for each body", () => {
    const a = buildStowBody([part(["a"])]).contentType;
    const b = buildStowBody([part(["a"])]).contentType;
    expect(a).toMatch(/boundary=relaypacs-[0-9a-f]{32}$/);
    expect(a).not.toBe(b);
  });

  it("opens no file before the request reads, then each file only after the previous one was sent", async () => {
    const log: string[] = [];
    const { body } = buildStowBody([part(["a1", "a2"], log, "a"), part(["b1"], log, "b")], "B");
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(log).toEqual([]);
    const reader = body.getReader();
    const seen: string[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      seen.push(`${log.length}:${new TextDecoder().decode(value)}`);
    }
    expect(log).toEqual(["open a", "open b"]);
    // "open b" happens only after a's last chunk and its closing CRLF went out.
    expect(seen.indexOf("1:a2")).toBeLessThan(seen.findIndex((s) => s.startsWith("2:")));
    expect(seen.filter((s) => s.startsWith("1:"))).toEqual([
      "1:--B\r\nContent-Type: application/dicom\r\n\r\n",
      "1:a1",
      "1:a2",
      "1:\r\n",
    ]);
  });

  it("fails the stream when a file yields more bytes than declared, and cancels that file", async () => {
    const log: string[] = [];
    const { body } = buildStowBody([part(["ab", "cd", "ef"], log, "a", 3)], "B");
    await expect(readAll(body)).rejects.toBeInstanceOf(StowPartSizeMismatch);
    expect(log).toEqual(["open a", "cancel a"]);
  });

  it("fails the stream when a file yields fewer bytes than declared", async () => {
    const { body } = buildStowBody([part(["ab"], [], "a", 3)], "B");
    await expect(readAll(body)).rejects.toMatchObject({
      name: "StowPartSizeMismatch",
      declared: 3,
      actual: 2,
    });
  });

  it("passes a cancel on to the file being sent", async () => {
    const log: string[] = [];
    const { body } = buildStowBody([part(["a1", "a2"], log, "a")], "B");
    const reader = body.getReader();
    await reader.read();
    await reader.cancel("client gone");
    expect(log).toEqual(["open a", "cancel a"]);
  });

  it("refuses a boundary that would need quoting, and an empty request", () => {
    expect(() => buildStowBody([part(["a"])], "has space")).toThrow(RangeError);
    expect(() => buildStowBody([part(["a"])], "x".repeat(71))).toThrow(RangeError);
    expect(() => buildStowBody([])).toThrow(RangeError);
  });
});

describe("batchParts", () => {
  const items = (...sizes: number[]) => sizes.map((size, id) => ({ id, size }));
  const ids = (batches: Array<Array<{ id: number }>>) => batches.map((b) => b.map((i) => i.id));

  it("fills each batch greedily up to the byte limit, keeping the order", () => {
    expect(ids(batchParts(items(4, 4, 2, 5, 1), 10, 100))).toEqual([
      [0, 1, 2],
      [3, 4],
    ]);
  });

  it("closes a batch at the instance limit even when bytes remain", () => {
    expect(ids(batchParts(items(1, 1, 1, 1, 1), 100, 2))).toEqual([[0, 1], [2, 3], [4]]);
  });

  it("sends a file larger than the byte limit alone", () => {
    expect(ids(batchParts(items(3, 50, 3, 3), 10, 100))).toEqual([[0], [1], [2, 3]]);
  });

  it("returns no batch for no files and refuses limits that could never be met", () => {
    expect(batchParts([], 10, 10)).toEqual([]);
    expect(() => batchParts(items(1), 0, 10)).toThrow(RangeError);
    expect(() => batchParts(items(1), 10, 0)).toThrow(RangeError);
  });
});
