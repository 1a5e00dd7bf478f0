// Bodies of A-ASSOCIATE-RQ and A-ASSOCIATE-AC (PS3.8 9.3.2, 9.3.3): the fixed 68-byte part, then
// items (application context 0x10, presentation contexts 0x20/0x21 with sub-items 0x30/0x40, user
// information 0x50 with 0x51 max length, 0x52 implementation class UID, 0x55 version name).
// Bodies only: the 6-byte PDU header is pdu.ts's job.
import {
  aeTitleField,
  aeTitleText,
  ascii,
  asciiText,
  concatBytes,
  readU16be,
  readU32be,
  u16be,
  u32be,
} from "./bytes";
import {
  PduDecodeError,
  type AssociateAc,
  type AssociateRq,
  type ContextAnswer,
  type ProposedContext,
  type UserInformation,
} from "./pdu-types";

const ITEM = {
  applicationContext: 0x10,
  contextRq: 0x20,
  contextAc: 0x21,
  abstractSyntax: 0x30,
  transferSyntax: 0x40,
  userInformation: 0x50,
  maxLength: 0x51,
  implementationClassUid: 0x52,
  implementationVersionName: 0x55,
} as const;
const FIXED_PART = 68;

function item(type: number, value: Uint8Array): Uint8Array {
  if (value.length > 0xffff) throw new RangeError("PDU item longer than 65535 bytes");
  return concatBytes([new Uint8Array([type, 0]), u16be(value.length), value]);
}

function userInformation(user: UserInformation): Uint8Array {
  const sub = [
    item(ITEM.maxLength, u32be(user.maxLength)),
    item(ITEM.implementationClassUid, ascii(user.implementationClassUid)),
  ];
  if (user.implementationVersionName) {
    sub.push(item(ITEM.implementationVersionName, ascii(user.implementationVersionName)));
  }
  return item(ITEM.userInformation, concatBytes(sub));
}

function proposedContext(c: ProposedContext): Uint8Array {
  return item(
    ITEM.contextRq,
    concatBytes([
      new Uint8Array([c.id, 0, 0, 0]),
      item(ITEM.abstractSyntax, ascii(c.abstractSyntax)),
      ...c.transferSyntaxes.map((ts) => item(ITEM.transferSyntax, ascii(ts))),
    ]),
  );
}

function contextAnswer(c: ContextAnswer): Uint8Array {
  return item(
    ITEM.contextAc,
    concatBytes([
      new Uint8Array([c.id, 0, c.result, 0]),
      item(ITEM.transferSyntax, ascii(c.transferSyntax)),
    ]),
  );
}

/** The body (after the 6-byte header) of an A-ASSOCIATE-RQ or -AC. */
export function encodeAssociateBody(pdu: AssociateRq | AssociateAc): Uint8Array {
  const fixed = new Uint8Array(FIXED_PART);
  fixed.set(u16be(1), 0); // protocol version 1; bytes 2-3 reserved
  fixed.set(aeTitleField(pdu.calledAeTitle), 4);
  fixed.set(aeTitleField(pdu.callingAeTitle), 20);
  const contexts =
    pdu.type === "associate-rq"
      ? pdu.contexts.map(proposedContext)
      : pdu.contexts.map(contextAnswer);
  return concatBytes([
    fixed,
    item(ITEM.applicationContext, ascii(pdu.applicationContext)),
    ...contexts,
    userInformation(pdu.user),
  ]);
}

interface Item {
  type: number;
  value: Uint8Array;
}

function items(b: Uint8Array, what: string): Item[] {
  const out: Item[] = [];
  let at = 0;
  while (at < b.length) {
    if (at + 4 > b.length) throw new PduDecodeError(`${what}: item header cut short`);
    const length = readU16be(b, at + 2);
    if (at + 4 + length > b.length) throw new PduDecodeError(`${what}: item longer than its PDU`);
    out.push({ type: b[at] ?? 0, value: b.subarray(at + 4, at + 4 + length) });
    at += 4 + length;
  }
  return out;
}

function decodeUser(value: Uint8Array): UserInformation {
  const user: UserInformation = { maxLength: 0, implementationClassUid: "" };
  for (const sub of items(value, "user information")) {
    if (sub.type === ITEM.maxLength) {
      if (sub.value.length !== 4) throw new PduDecodeError("maximum length item is not 4 bytes");
      user.maxLength = readU32be(sub.value, 0);
    } else if (sub.type === ITEM.implementationClassUid) {
      user.implementationClassUid = asciiText(sub.value);
    } else if (sub.type === ITEM.implementationVersionName) {
      user.implementationVersionName = asciiText(sub.value);
    }
    // Other sub-items (asynchronous window, roles, extended negotiation) are not used here.
  }
  return user;
}

function decodeProposed(value: Uint8Array): ProposedContext {
  if (value.length < 4) throw new PduDecodeError("presentation context item too short");
  const c: ProposedContext = { id: value[0] ?? 0, abstractSyntax: "", transferSyntaxes: [] };
  for (const sub of items(value.subarray(4), "presentation context")) {
    if (sub.type === ITEM.abstractSyntax) c.abstractSyntax = asciiText(sub.value);
    else if (sub.type === ITEM.transferSyntax) c.transferSyntaxes.push(asciiText(sub.value));
  }
  return c;
}

function decodeAnswer(value: Uint8Array): ContextAnswer {
  if (value.length < 4) throw new PduDecodeError("presentation context item too short");
  const ts = items(value.subarray(4), "presentation context").find(
    (sub) => sub.type === ITEM.transferSyntax,
  );
  // A rejected context's transfer syntax "shall not be tested" (PS3.8 9.3.3.2): it may be absent.
  return {
    id: value[0] ?? 0,
    result: value[2] ?? 0,
    transferSyntax: ts ? asciiText(ts.value) : "",
  };
}

/** Decodes the body of an A-ASSOCIATE-RQ (type 1) or -AC (type 2). */
export function decodeAssociateBody(type: 1 | 2, body: Uint8Array): AssociateRq | AssociateAc {
  if (body.length < FIXED_PART) throw new PduDecodeError("A-ASSOCIATE PDU shorter than 68 bytes");
  const fields = {
    calledAeTitle: aeTitleText(body.subarray(4, 20)),
    callingAeTitle: aeTitleText(body.subarray(20, 36)),
    applicationContext: "",
    user: { maxLength: 0, implementationClassUid: "" },
  };
  const proposed: ProposedContext[] = [];
  const answers: ContextAnswer[] = [];
  let sawUser = false;
  for (const it of items(body.subarray(FIXED_PART), "A-ASSOCIATE")) {
    if (it.type === ITEM.applicationContext) fields.applicationContext = asciiText(it.value);
    else if (it.type === ITEM.contextRq && type === 1) proposed.push(decodeProposed(it.value));
    else if (it.type === ITEM.contextAc && type === 2) answers.push(decodeAnswer(it.value));
    else if (it.type === ITEM.userInformation) {
      fields.user = decodeUser(it.value);
      sawUser = true;
    }
  }
  if (!fields.applicationContext)
    throw new PduDecodeError("A-ASSOCIATE without application context");
  if (!sawUser) throw new PduDecodeError("A-ASSOCIATE without user information");
  return type === 1
    ? { type: "associate-rq", ...fields, contexts: proposed }
    : { type: "associate-ac", ...fields, contexts: answers };
}
