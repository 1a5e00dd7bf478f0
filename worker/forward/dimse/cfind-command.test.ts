import { describe, expect, it } from "vitest";
import { decodeCFindRsp, encodeCFindRq, encodeCFindRsp, STUDY_ROOT_FIND } from "./cfind-command";
import { asciiText, readU16le } from "./bytes";
import { decodeCommandSet, encodeCStoreRsp } from "./dimse-command";

describe("C-FIND command sets", () => {
  it("a C-FIND-RQ names Study Root FIND, command 0x0020, and announces the identifier", () => {
    const elements = decodeCommandSet(
      encodeCFindRq({ messageId: 7, sopClassUid: STUDY_ROOT_FIND }),
    );
    expect(asciiText(elements.get(0x00000002)!)).toBe(STUDY_ROOT_FIND);
    expect(readU16le(elements.get(0x00000100)!, 0)).toBe(0x0020);
    expect(readU16le(elements.get(0x00000110)!, 0)).toBe(7);
    expect(readU16le(elements.get(0x00000800)!, 0)).not.toBe(0x0101);
  });

  it("the group length covers every element after it", () => {
    const bytes = encodeCFindRq({ messageId: 1, sopClassUid: STUDY_ROOT_FIND });
    expect(new DataView(bytes.buffer).getUint32(8, true)).toBe(bytes.length - 12);
  });

  it("a pending C-FIND-RSP decodes with its status and an identifier to follow", () => {
    const bytes = encodeCFindRsp({
      messageIdBeingRespondedTo: 7,
      status: 0xff00,
      hasDataSet: true,
    });
    expect(decodeCFindRsp(bytes)).toEqual({
      rsp: { messageIdBeingRespondedTo: 7, status: 0xff00, sopClassUid: STUDY_ROOT_FIND },
      hasDataSet: true,
    });
  });

  it("a final C-FIND-RSP decodes without a data set", () => {
    const bytes = encodeCFindRsp({ messageIdBeingRespondedTo: 7, status: 0, hasDataSet: false });
    expect(decodeCFindRsp(bytes).hasDataSet).toBe(false);
  });

  it("a C-STORE-RSP is not a C-FIND-RSP", () => {
    const store = encodeCStoreRsp({ messageIdBeingRespondedTo: 7, status: 0 });
    expect(() => decodeCFindRsp(store)).toThrow(/expected a C-FIND-RSP/);
  });
});
