// A scripted storage SCP for the in-memory peer: accepts (or rejects) the association, collects
// each C-STORE's command and data set, answers with a chosen status, and can misbehave on cue
// (abort or hang up mid-transfer, fall silent). Test support only; the real peer is storescp.
import { asciiText, concatBytes, readU16le } from "../bytes";
import { decodeCommandSet, encodeCStoreRsp } from "../dimse-command";
import { encodePdu } from "../pdu";
import { DICOM_APPLICATION_CONTEXT, type AssociateRq, type Pdv } from "../pdu-types";
import type { PeerSide } from "./memory-peer";

export interface ReceivedStore {
  contextId: number;
  sopClassUid: string;
  sopInstanceUid: string;
  messageId: number;
  dataSet: Uint8Array;
  /** Length of each data set fragment, in arrival order. */
  fragments: number[];
  /** The P-DATA-TF length field of each PDU that carried data set bytes. */
  pduLengths: number[];
}

export interface ScpScript {
  reject?: { result: number; source: number; reason: number };
  /** Result per proposed context (0 accepts); default accepts all. */
  answer?: (abstractSyntax: string, transferSyntax: string) => number;
  maxLength?: number;
  /** Status per received instance; default 0x0000. */
  status?: (store: ReceivedStore) => number;
  /** Misbehave once this many data set bytes of the given message have arrived. */
  misbehave?: { messageNumber: number; afterBytes: number; action: "abort" | "close" | "silence" };
  /** Ask to release right after answering this many stores (response and request in one write). */
  releaseAfterStores?: number;
  /** Never answer the association request. */
  silent?: boolean;
}

export interface ScpRecord {
  request?: AssociateRq;
  stores: ReceivedStore[];
  released: boolean;
  aborted: boolean;
}

export async function playScp(peer: PeerSide, script: ScpScript, record: ScpRecord): Promise<void> {
  const first = await peer.read();
  if (first?.type !== "associate-rq")
    throw new Error(`expected A-ASSOCIATE-RQ, got ${first?.type}`);
  record.request = first;
  if (script.silent) return;
  if (script.reject) {
    peer.send({ type: "associate-rj", ...script.reject });
    peer.close();
    return;
  }
  peer.send({
    type: "associate-ac",
    calledAeTitle: first.calledAeTitle,
    callingAeTitle: first.callingAeTitle,
    applicationContext: DICOM_APPLICATION_CONTEXT,
    contexts: first.contexts.map((c) => ({
      id: c.id,
      result: script.answer?.(c.abstractSyntax, c.transferSyntaxes[0] ?? "") ?? 0,
      transferSyntax: c.transferSyntaxes[0] ?? "",
    })),
    user: { maxLength: script.maxLength ?? 16384, implementationClassUid: "1.2.3.4" },
  });
  let command: Uint8Array[] = [];
  let data: Uint8Array[] = [];
  let fragments: number[] = [];
  let pduLengths: number[] = [];
  let received = 0;
  for (;;) {
    const pdu = await peer.read();
    if (!pdu) return;
    if (pdu.type === "abort") {
      record.aborted = true;
      return;
    }
    if (pdu.type === "release-rq") {
      record.released = true;
      peer.send({ type: "release-rp" });
      peer.close();
      return;
    }
    if (pdu.type !== "p-data-tf") throw new Error(`unexpected ${pdu.type}`);
    const length = pdu.pdvs.reduce((n, p) => n + 6 + p.data.length, 0);
    let done: Pdv | undefined;
    for (const pdv of pdu.pdvs) {
      if (pdv.command) {
        command.push(pdv.data);
        continue;
      }
      data.push(pdv.data);
      fragments.push(pdv.data.length);
      received += pdv.data.length;
      if (pdv.last) done = pdv;
    }
    if (pdu.pdvs.some((p) => !p.command)) pduLengths.push(length);
    const cue = script.misbehave;
    if (cue && cue.messageNumber === record.stores.length + 1 && received >= cue.afterBytes) {
      if (cue.action === "abort") peer.send({ type: "abort", source: 0, reason: 0 });
      if (cue.action !== "silence") peer.close();
      return;
    }
    if (!done) continue;
    const elements = decodeCommandSet(concatBytes(command));
    const store: ReceivedStore = {
      contextId: done.contextId,
      sopClassUid: asciiText(elements.get(0x00000002) ?? new Uint8Array()),
      sopInstanceUid: asciiText(elements.get(0x00001000) ?? new Uint8Array()),
      messageId: readU16le(elements.get(0x00000110) ?? new Uint8Array(2), 0),
      dataSet: concatBytes(data),
      fragments,
      pduLengths,
    };
    record.stores.push(store);
    const rsp = encodeCStoreRsp({
      messageIdBeingRespondedTo: store.messageId,
      status: script.status?.(store) ?? 0,
      sopClassUid: store.sopClassUid,
      sopInstanceUid: store.sopInstanceUid,
    });
    const answer = encodePdu({
      type: "p-data-tf",
      pdvs: [{ contextId: done.contextId, command: true, last: true, data: rsp }],
    });
    if (record.stores.length === script.releaseAfterStores) {
      peer.send(concatBytes([answer, encodePdu({ type: "release-rq" })]));
      const reply = await peer.read();
      record.released = reply?.type === "release-rp";
      peer.close();
      return;
    }
    peer.send(answer);
    command = [];
    data = [];
    fragments = [];
    pduLengths = [];
    received = 0;
  }
}

export const newRecord = (): ScpRecord => ({ stores: [], released: false, aborted: false });
