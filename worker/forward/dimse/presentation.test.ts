import { describe, expect, it } from "vitest";
import { CONTEXT_RESULT } from "./pdu-types";
import { chooseContext, planAssociations } from "./presentation";

const CT = "1.2.840.10008.5.1.4.1.1.2";
const MR = "1.2.840.10008.5.1.4.1.1.4";
const ELE = "1.2.840.10008.1.2.1";
const ILE = "1.2.840.10008.1.2";
const JLS = "1.2.840.10008.1.2.4.80";
const item = (name: string, sopClassUid: string, transferSyntaxUid: string) => ({
  name,
  info: { sopClassUid, transferSyntaxUid },
});

describe("planning presentation contexts", () => {
  it("proposes one context per (SOP class, transfer syntax) pair, offering only the file's syntax", () => {
    const [plan, ...rest] = planAssociations([
      item("ct1", CT, ELE),
      item("mr1", MR, ILE),
      item("ct2", CT, ELE),
      item("ct3", CT, JLS),
    ]);
    expect(rest).toEqual([]);
    expect(plan?.contexts).toEqual([
      { id: 1, abstractSyntax: CT, transferSyntaxes: [ELE] },
      { id: 3, abstractSyntax: MR, transferSyntaxes: [ILE] },
      { id: 5, abstractSyntax: CT, transferSyntaxes: [JLS] },
    ]);
    expect(plan?.items.map((i) => i.name)).toEqual(["ct1", "mr1", "ct2", "ct3"]);
  });

  it("opens another association past the 128 contexts one can hold, keeping pairs together", () => {
    const items = Array.from({ length: 130 }, (_, i) => item(`x${i}`, `1.2.3.${i}`, ELE));
    items.push(item("again", "1.2.3.0", ELE), item("last", "1.2.3.129", ELE));
    const plans = planAssociations(items);
    expect(plans.map((p) => p.contexts.length)).toEqual([128, 2]);
    expect(plans[0]?.contexts.at(-1)?.id).toBe(255);
    expect(plans[0]?.items.map((i) => i.name)).toContain("again");
    expect(plans[1]?.items.map((i) => i.name)).toEqual(["x128", "x129", "last"]);
    expect(plans[1]?.contexts[0]?.id).toBe(1);
  });

  it("plans nothing for an empty batch", () => {
    expect(planAssociations([])).toEqual([]);
  });
});

describe("choosing the accepted context for an instance", () => {
  const proposed = [
    { id: 1, abstractSyntax: CT, transferSyntaxes: [ELE] },
    { id: 3, abstractSyntax: MR, transferSyntaxes: [JLS] },
  ];
  const ct = { sopClassUid: CT, transferSyntaxUid: ELE };
  const mr = { sopClassUid: MR, transferSyntaxUid: JLS };

  it("an accepted context with the file's syntax is used", () => {
    expect(chooseContext(proposed, [{ id: 1, result: 0, transferSyntax: ELE }], ct)).toEqual({
      ok: true,
      contextId: 1,
    });
  });

  it("an unsupported SOP class gives a reason naming the kind of object", () => {
    const choice = chooseContext(
      proposed,
      [{ id: 1, result: CONTEXT_RESULT.abstractSyntaxNotSupported, transferSyntax: "" }],
      ct,
    );
    expect(choice).toMatchObject({ ok: false, code: "context_rejected" });
    expect(!choice.ok && choice.reason).toMatch(/does not accept this kind of object: CT image/);
  });

  it("an unsupported transfer syntax gives a reason naming the encoding", () => {
    const choice = chooseContext(
      proposed,
      [{ id: 3, result: CONTEXT_RESULT.transferSyntaxesNotSupported, transferSyntax: "" }],
      mr,
    );
    expect(!choice.ok && choice.reason).toMatch(
      /cannot accept this image's encoding: JPEG-LS Lossless/,
    );
  });

  it("a user rejection, a rejection without reason and a missing answer all fail with a reason", () => {
    expect(
      chooseContext(
        proposed,
        [{ id: 1, result: CONTEXT_RESULT.userRejection, transferSyntax: "" }],
        ct,
      ),
    ).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/declined this kind of object/),
    });
    expect(
      chooseContext(proposed, [{ id: 1, result: CONTEXT_RESULT.noReason, transferSyntax: "" }], ct),
    ).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/gave no reason/),
    });
    expect(chooseContext(proposed, [], ct)).toMatchObject({ ok: false, code: "context_rejected" });
  });

  it("an acceptance with a syntax other than the file's is refused: RelayPACS does not convert", () => {
    const choice = chooseContext(proposed, [{ id: 1, result: 0, transferSyntax: ILE }], ct);
    expect(!choice.ok && choice.reason).toMatch(/does not convert images/);
  });
});
