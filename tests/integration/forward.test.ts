// The whole server path against a real Orthanc: chunks → complete → queue → STOW-RS → per-instance
// outcome, with Orthanc holding byte-identical copies and R2 emptied after delivery.
import { beforeAll, describe, expect, it } from "vitest";
import {
  complete,
  createUser,
  fixture,
  initUpload,
  login,
  r2Keys,
  sendAll,
  waitForState,
  type LocalFile,
} from "./helpers";
import { deleteFromOrthanc, storedInstance } from "./orthanc";

const CT = "transfer_syntax/explicit_vr_le/CT_small.dcm";
const MR = "transfer_syntax/explicit_vr_le/MR_small.dcm";
const CT_UID = "1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322";
const MR_UID = "1.3.6.1.4.1.5962.1.1.4.1.1.20040826185059.5457";

let token: string;
beforeAll(async () => {
  token = await login(await createUser());
});

describe("forwarding to a real Orthanc", () => {
  it("a completed session is stored in Orthanc byte-identical, then its R2 objects are deleted", async () => {
    await deleteFromOrthanc(CT_UID);
    await deleteFromOrthanc(MR_UID);
    const files: LocalFile[] = [
      { name: "ct.dcm", bytes: fixture(`dicom/${CT}`) },
      { name: "mr.dcm", bytes: fixture(`dicom/${MR}`) },
    ];
    const s = await initUpload(token, files, { clinicalImpression: "query fracture" });
    await sendAll(s, files, 256 * 1024);
    expect((await complete(s)).status).toBe(200);
    const done = await waitForState(s, ["delivered", "partially_delivered", "failed"]);
    expect(done.state).toBe("delivered");
    expect(done.message).toMatch(/^Received by PACS: 2 of 2\./);
    // CT_small and MR_small come from two different studies: reported, not silently mixed.
    expect(done.message).toMatch(/2 different studies/);
    expect(done.files.map((f) => f.outcome?.status)).toEqual(["stored", "stored"]);
    expect(await storedInstance(CT_UID)).toEqual(files[0]?.bytes);
    expect(await storedInstance(MR_UID)).toEqual(files[1]?.bytes);
    expect(await r2Keys(s.sessionId)).toEqual([]);
    // No PHI kept after delivery: file names are replaced by opaque labels.
    expect(done.files.map((f) => f.name)).toEqual(["file 1", "file 2"]);
  });

  it("a session with one bad file and good ones delivers the good ones and explains the bad one", async () => {
    const files: LocalFile[] = [
      { name: "ct.dcm", bytes: fixture(`dicom/${CT}`) },
      { name: "notes.txt", bytes: new Uint8Array(new TextEncoder().encode("not an image at all")) },
      { name: "DICOMDIR", bytes: fixture("dicom/dicomdir/pydicom_dicomdirtests/DICOMDIR") },
    ];
    const s = await initUpload(token, files);
    await sendAll(s, files, 256 * 1024);
    const afterComplete = await complete(s);
    expect(afterComplete.status).toBe(200);
    const done = await waitForState(s, ["delivered", "partially_delivered", "failed"]);
    expect(done.state).toBe("delivered");
    expect(done.files[0]?.verdict?.accepted).toBe(true);
    expect(done.files[1]?.verdict).toMatchObject({ accepted: false, code: "not_dicom" });
    expect(done.files[2]?.verdict).toMatchObject({ accepted: false, code: "dicomdir" });
    expect(done.counts).toMatchObject({ files: 3, accepted: 1, stored: 1 });
  });
});
