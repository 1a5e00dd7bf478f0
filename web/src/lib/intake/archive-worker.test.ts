import { afterEach, describe, expect, it } from "vitest";
import { fixtureBytes } from "../../../tests/fixtures/intake/load";
import { patchMember, zipSync } from "../../../tests/fixtures/intake/zip-craft";
import { expandArchiveHere } from "./archive";
import { workerArchiveExpander } from "./archive-client";
import type { ArchiveExpander, ArchiveFormat, ArchiveItem } from "./archive-types";
import { DEFAULT_ARCHIVE_LIMITS } from "./archive-types";
import { serveArchiveRequests } from "./archive-worker-core";
import { entryFromBlob, entryFromBytes } from "./entry";
import { scanIntakeToEnd } from "./scan";

const ct = fixtureBytes("root", "transfer_syntax/explicit_vr_le/CT_small.dcm");
const mr = fixtureBytes("root", "transfer_syntax/explicit_vr_le/MR_small.dcm");
const zip = patchMember(
  zipSync({ "a/ct.dcm": ct, "b/locked.dcm": mr, "c/mr.dcm": mr }),
  "b/locked.dcm",
  {
    flags: 1,
  },
);
const rar = fixtureBytes("archives", "rar5-solid.rar");

const ports: MessagePort[] = [];

/** A page/worker pair over a real MessageChannel (structured clone, transfer). */
function channel(expand: ArchiveExpander = expandArchiveHere()) {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  port1.start();
  port2.start();
  serveArchiveRequests(port2, expand);
  return { page: workerArchiveExpander(port1), workerPort: port2 };
}

afterEach(() => {
  for (const port of ports.splice(0)) port.close();
});

async function all(items: AsyncIterable<ArchiveItem>) {
  const out: ArchiveItem[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const source = (path: string, bytes: Uint8Array) =>
  entryFromBlob(path, new Blob([new Uint8Array(bytes)]));

describe("the archive worker protocol", () => {
  it.each([
    ["zip", "study.zip", zip],
    ["rar", "study.rar", rar],
  ] as const)(
    "the worker hands over the same %s items as unpacking in the page",
    async (format, path, bytes) => {
      const here = await all(
        expandArchiveHere()(entryFromBytes(path, bytes), format, DEFAULT_ARCHIVE_LIMITS),
      );
      const there = await all(channel().page(source(path, bytes), format, DEFAULT_ARCHIVE_LIMITS));
      expect(there).toEqual(here);
      expect(there.length).toBeGreaterThan(1);
    },
  );

  it("the worker unpacks nothing ahead of the page, and stops when the page leaves", async () => {
    let produced = 0;
    let closed = false;
    const counting: ArchiveExpander = async function* (archive, format: ArchiveFormat, limits) {
      try {
        for await (const item of expandArchiveHere()(archive, format, limits)) {
          produced += 1;
          yield item;
        }
      } finally {
        closed = true;
      }
    };
    const { page } = channel(counting);
    for await (const item of page(source("study.zip", zip), "zip", DEFAULT_ARCHIVE_LIMITS)) {
      expect(item.type).toBe("member");
      expect(produced).toBe(1);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(true);
  });

  it("a failure inside the worker reaches the page as an error, not a hang", async () => {
    const failing: ArchiveExpander = async function* () {
      throw new RangeError("boom");
    };
    const { page } = channel(failing);
    await expect(all(page(source("x.zip", zip), "zip", DEFAULT_ARCHIVE_LIMITS))).rejects.toThrow(
      "The archive could not be unpacked (RangeError).",
    );
  });

  it("messages that are not the protocol's are ignored", async () => {
    const { page, workerPort } = channel();
    workerPort.postMessage({ type: "member", id: "nope" });
    const items = await all(page(source("study.zip", zip), "zip", DEFAULT_ARCHIVE_LIMITS));
    expect(items.filter((item) => item.type === "member")).toHaveLength(2);
  });

  it("scanIntake through the worker gives the result it gives in the page", async () => {
    const entries = () => [source("study.zip", zip), source("study.rar", rar)];
    const here = await scanIntakeToEnd(entries());
    const there = await scanIntakeToEnd(entries(), { expandArchive: channel().page });
    const summary = (r: typeof here) => ({
      rejected: r.rejected,
      studies: r.studies.map((s) => [s.studyInstanceUid, s.instanceCount, s.bytes]),
    });
    expect(summary(there)).toEqual(summary(here));
    expect(here.studies).toHaveLength(2);
  });
});
