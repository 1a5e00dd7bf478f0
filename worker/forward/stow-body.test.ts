import { describe, expect, it } from "vitest";
import { batchParts, stowFraming, writeStowBody, type StowPart } from "./stow-body";

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

/** Writes the body into a collecting sink; `log` records each write as it lands. */
async function written(
  parts: StowPart[],
  boundary = "B",
  log: string[] = [],
): Promise<{ text: string; closed: boolean }> {
  const out: Uint8Array[] = [];
  let closed = false;
  const sink = new WritableStream<Uint8Array>({
    write(chunk: Uint8Array) {
      out.push(chunk);
      log.push(`write ${new TextDecoder().decode(chunk)}`);
    },
    close() {
      closed = true;
    },
  });
  await writeStowBody(sink, parts, boundary);
  const bytes = new Uint8Array(out.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of out) bytes.set(c, (at += c.length) - c.length);
  return { text: new TextDecoder().decode(bytes), closed };
}

const HEAD = "--B\r\nContent-Type: application/dicom\r\n\r\n";

describe("stowFraming and writeStowBody", () => {
  it("frames each file as one application/dicom part and closes the multipart body", async () => {
    const parts = [part(["DI", "CM1"]), part([]), part(["abc"])];
    expect(stowFraming(parts, "B").contentType).toBe(
      'multipart/related; type="application/dicom"; boundary=B',
    );
    const { text: body, closed } = await written(parts);
    expect(body).toBe(`${HEAD}DICM1\r\n${HEAD}\r\n${HEAD}abc\r\n--B--\r\n`);
    expect(closed).toBe(true);
  });

  it("announces a content length equal to the bytes it writes, with the random boundary too", async () => {
    const parts = [part(["x".repeat(1000)]), part(["y", "z".repeat(70_000)])];
    const { boundary, contentLength } = stowFraming(parts);
    const { text: body } = await written(parts, boundary);
    expect(contentLength).toBe(text.encode(body).byteLength);
  });

  it("draws a fresh random boundary for each body", () => {
    const a = stowFraming([part(["a"])]).contentType;
    const b = stowFraming([part(["a"])]).contentType;
    expect(a).toMatch(/boundary=relaypacs-[0-9a-f]{32}$/);
    expect(a).not.toBe(b);
  });

  it("opens each file only after the previous one was written, with its closing CRLF", async () => {
    const log: string[] = [];
    await written([part(["a1", "a2"], log, "a"), part(["b1"], log, "b")], "B", log);
    expect(log).toEqual([
      "write " + HEAD,
      "open a",
      "write a1",
      "write a2",
      "write \r\n",
      "write " + HEAD,
      "open b",
      "write b1",
      "write \r\n",
      "write --B--\r\n",
    ]);
  });

  it("aborts the body, unclosed, when a file cannot be opened", async () => {
    const failing: StowPart = {
      size: 3,
      open: () => Promise.reject(new Error("chunk object missing")),
    };
    let aborted: unknown;
    const sink = new WritableStream<Uint8Array>({
      abort(reason) {
        aborted = reason;
      },
    });
    await expect(writeStowBody(sink, [part(["ok"]), failing], "B")).rejects.toThrow(
      "chunk object missing",
    );
    expect(String(aborted)).toMatch(/chunk object missing/);
  });

  it("refuses a boundary that would need quoting, and an empty request", () => {
    expect(() => stowFraming([part(["a"])], "has space")).toThrow(RangeError);
    expect(() => stowFraming([part(["a"])], "x".repeat(71))).toThrow(RangeError);
    expect(() => stowFraming([])).toThrow(RangeError);
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
