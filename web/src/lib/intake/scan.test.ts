import { describe, expect, it } from "vitest";
import { fixtureBytes, manifest, value } from "../../../tests/fixtures/intake/load";
import { zipSync } from "../../../tests/fixtures/intake/zip-craft";
import { entryFromBytes, unreadableEntry, type IntakeEntry } from "./entry";
import { scanIntake, scanIntakeToEnd, type ScanEvent } from "./scan";

const root = (path: string) => fixtureBytes("root", path);
const ct = root("transfer_syntax/explicit_vr_le/CT_small.dcm");
const mr = root("transfer_syntax/explicit_vr_le/MR_small.dcm");
const mrImplicit = root("transfer_syntax/implicit_vr_le/MR_small_implicit.dcm");
const rootRow = (suffix: string) => manifest("root").find((row) => row.path.endsWith(suffix))!;
const text = (s: string) => new TextEncoder().encode(s);
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0]);
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const e = entryFromBytes;

const rejectedOf = (r: Awaited<ReturnType<typeof scanIntakeToEnd>>) =>
  Object.fromEntries(r.rejected.map((x) => [x.path, x.code]));
const instancePaths = (r: Awaited<ReturnType<typeof scanIntakeToEnd>>) =>
  r.studies.flatMap((s) => s.series.flatMap((se) => se.instances.map((i) => i.path))).sort();

describe("scanIntake on a mixed pick", () => {
  const archive = zipSync({
    "export/CT/ct.dcm": ct,
    "export/readme.txt": text("Open with any DICOM viewer."),
    "export/.DS_Store": new Uint8Array(16),
    "__MACOSX/export/CT/._ct.dcm": new Uint8Array(16),
  });
  const picked: IntakeEntry[] = [
    e("export.zip", archive),
    e("loose/ct-copy.dcm", ct), // an exact copy of the CT inside the ZIP
    e("loose/mr.dcm", mr),
    e("loose/mr-implicit.dcm", mrImplicit), // same SOP Instance UID as mr.dcm, other bytes
    e("loose/photo.jpg", JPEG),
    e("loose/scan.png", PNG),
    e("loose/notes.txt", text("Patient notes: see attached scan.")),
    e("loose/empty.dcm", new Uint8Array(0)),
    e("loose/Thumbs.db", new Uint8Array(10)),
    e("loose/truncated.dcm", root("broken/MR_truncated.dcm")),
    e("loose/no-ids.dcm", root("no_preamble/JLSN_RGB_ILV0.dcm")),
    unreadableEntry("loose/moved.dcm", new Error("NotFoundError")),
    e("old.rar", fixtureBytes("archives", "testfile.rar5.rar")),
    e("locked.rar", fixtureBytes("archives", "rar5-hpsw.rar")),
  ];

  it("every file not sent is listed by name with a reason; system files are ignored silently", async () => {
    const result = await scanIntakeToEnd(picked);
    expect(rejectedOf(result)).toEqual({
      "export.zip/export/readme.txt": "not-an-image",
      "loose/photo.jpg": "photo",
      "loose/scan.png": "photo",
      "loose/notes.txt": "not-an-image",
      "loose/empty.dcm": "empty",
      "loose/truncated.dcm": "dicom-cut-short",
      "loose/no-ids.dcm": "dicom-without-ids",
      "loose/moved.dcm": "unreadable",
      "old.rar/testfile.txt": "not-an-image",
      "locked.rar": "archive-password-protected",
      "loose/mr-implicit.dcm": "duplicate-conflict",
    });
    for (const { reason } of result.rejected) expect(reason).toMatch(/\.$/);
    const everything = JSON.stringify(result.rejected) + JSON.stringify(instancePaths(result));
    expect(everything).not.toMatch(/DS_Store|MACOSX|Thumbs/);
  });

  it("an exact copy is sent once, a conflicting copy is named, non-images are summed up", async () => {
    const result = await scanIntakeToEnd(picked);
    expect(instancePaths(result)).toEqual(["export.zip/export/CT/ct.dcm", "loose/mr.dcm"]);
    const messages = result.warnings.map((w) => `${w.code}: ${w.message}`);
    expect(messages).toContain(
      "duplicates-dropped: 1 file is an exact copy of another file and will be sent once: loose/ct-copy.dcm.",
    );
    expect(messages).toContainEqual(
      expect.stringMatching(/^duplicate-conflict: loose\/mr-implicit.dcm and loose\/mr.dcm/),
    );
    expect(messages).toContainEqual(
      expect.stringMatching(
        /^not-images: 5 files are not images we can send .*: export.zip\/export\/readme.txt, loose\/photo.jpg, loose\/scan.png and 2 more\.$/,
      ),
    );
  });

  it("studies carry the MANIFEST's identity of each file", async () => {
    const result = await scanIntakeToEnd(picked);
    const ctRow = rootRow("/CT_small.dcm");
    const study = result.studies.find(
      (s) => s.studyInstanceUid === value(ctRow, "study_instance_uid"),
    );
    expect(study).toMatchObject({
      patientName: value(ctRow, "patient_name_utf8"),
      modalities: [value(ctRow, "modality")],
      instanceCount: 1,
      bytes: Number(ctRow.size_bytes),
    });
    expect(study?.series[0]?.instances[0]?.header.sopInstanceUid).toBe(
      value(ctRow, "sop_instance_uid"),
    );
  });

  it("yields progress after each file, archive members included, then the result", async () => {
    const events: ScanEvent[] = [];
    for await (const event of scanIntake(picked)) events.push(event);
    const progress = events.filter((ev) => ev.type === "progress");
    expect(events.at(-1)?.type).toBe("done");
    // 14 picked, minus 3 archives and Thumbs.db, plus 2 ZIP members and 1 RAR member.
    expect(progress).toHaveLength(13);
    expect(progress.at(-1)).toMatchObject({ filesScanned: 13 });
  });
});

describe("scanIntake with takePhoto", () => {
  it("photos, loose or in an archive, go to takePhoto and are not listed as rejected", async () => {
    const taken: string[] = [];
    const result = await scanIntakeToEnd(
      [
        e("a.jpg", JPEG),
        e("b.zip", zipSync({ "c.png": PNG, "ct.dcm": ct })),
        e("d.txt", text("x")),
      ],
      {
        takePhoto: (photo, format) => {
          taken.push(`${photo.path}:${format}:${photo.size}`);
          return Promise.resolve();
        },
      },
    );
    expect(taken).toEqual([`a.jpg:JPEG:${JPEG.length}`, `b.zip/c.png:PNG:${PNG.length}`]);
    expect(rejectedOf(result)).toEqual({ "d.txt": "not-an-image" });
    expect(result.warnings.find((w) => w.code === "not-images")?.detail).toEqual({
      code: "not-images",
      paths: ["d.txt"],
    });
    expect(instancePaths(result)).toEqual(["b.zip/ct.dcm"]);
  });
});

describe("scanIntake and archives inside archives", () => {
  const inner = zipSync({ "series/ct.dcm": ct });

  it("a ZIP inside a ZIP is opened (one level)", async () => {
    const result = await scanIntakeToEnd([e("outer.zip", zipSync({ "inner.zip": inner }))]);
    expect(instancePaths(result)).toEqual(["outer.zip/inner.zip/series/ct.dcm"]);
  });

  it("a ZIP inside a ZIP inside a ZIP is explained, not opened", async () => {
    const nested = zipSync({ "middle.zip": zipSync({ "inner.zip": inner }) });
    const result = await scanIntakeToEnd([e("outer.zip", nested)]);
    expect(rejectedOf(result)).toEqual({
      "outer.zip/middle.zip/inner.zip": "archive-nested-too-deep",
    });
  });

  it("DICOM members go to keepArchiveMember; the study keeps what it returns", async () => {
    const kept: string[] = [];
    const result = await scanIntakeToEnd(
      [e("a.zip", zipSync({ "ct.dcm": ct, "x.txt": text("x") }))],
      {
        keepArchiveMember: (member) => {
          kept.push(member.path);
          return Promise.resolve({ ...member, path: `stored:${member.path}` });
        },
      },
    );
    expect(kept).toEqual(["a.zip/ct.dcm"]);
    expect(result.studies[0]?.series[0]?.instances[0]?.entry.path).toBe("stored:a.zip/ct.dcm");
  });
});

describe("scanIntake reads headers from a slice", () => {
  it("a 100 MB DICOM file is read no further than its first 16 KiB", async () => {
    const big = new Uint8Array(ct.length + 100 * 1024 * 1024);
    big.set(ct);
    const view = new DataView(big.buffer);
    view.setUint32(6296, view.getUint32(6296, true) + 100 * 1024 * 1024, true); // pixel data length
    let furthest = 0;
    const entry: IntakeEntry = {
      path: "big.dcm",
      size: big.length,
      read: (start, end) => {
        furthest = Math.max(furthest, end);
        return Promise.resolve(big.subarray(start, end));
      },
    };
    const result = await scanIntakeToEnd([entry]);
    expect(result.studies[0]?.bytes).toBe(big.length);
    expect(furthest).toBe(16 * 1024);
  });

  it("stops when aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      scanIntakeToEnd([e("a.dcm", ct)], { signal: controller.signal }),
    ).rejects.toThrow();
  });
});
