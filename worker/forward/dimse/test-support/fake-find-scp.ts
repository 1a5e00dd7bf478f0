// A scripted query SCP for the in-memory peer: accepts (or refuses) the C-FIND context, reads each
// C-FIND-RQ and its identifier, answers one pending match per UID it "holds" and a final status,
// or aborts like Orthanc does for an AE it does not allow to query. Test support only.
import { concatBytes, readU16le } from "../bytes";
import { encodeCFindRsp } from "../cfind-command";
import { encodeImageQuery, readSopInstanceUid } from "../cfind-identifier";
import { decodeCommandSet } from "../dimse-command";
import { encodePdu } from "../pdu";
import { DICOM_APPLICATION_CONTEXT } from "../pdu-types";
import type { PeerSide } from "./memory-peer";

export interface FindScript {
  holds: ReadonlySet<string>;
  /** Result for the proposed context (0 accepts). */
  contextResult?: number;
  /** Abort right after a query arrives, or answer it with this final status. */
  onQuery?: "abort" | { status: number };
}

export interface FindRecord {
  queries: string[][];
  released: boolean;
}

export async function playFindScp(peer: PeerSide, script: FindScript, record: FindRecord) {
  const rq = await peer.read();
  if (rq?.type !== "associate-rq") throw new Error(`expected A-ASSOCIATE-RQ, got ${rq?.type}`);
  const transferSyntax = rq.contexts[0]?.transferSyntaxes[0] ?? "";
  const explicit = transferSyntax === "1.2.840.10008.1.2.1";
  peer.send({
    type: "associate-ac",
    calledAeTitle: rq.calledAeTitle,
    callingAeTitle: rq.callingAeTitle,
    applicationContext: DICOM_APPLICATION_CONTEXT,
    contexts: rq.contexts.map((c) => ({
      id: c.id,
      result: script.contextResult ?? 0,
      transferSyntax,
    })),
    user: { maxLength: 16384, implementationClassUid: "1.2.3.4" },
  });
  let command: Uint8Array[] = [];
  let data: Uint8Array[] = [];
  for (;;) {
    const pdu = await peer.read();
    if (!pdu || pdu.type === "abort") return;
    if (pdu.type === "release-rq") {
      record.released = true;
      peer.send({ type: "release-rp" });
      peer.close();
      return;
    }
    if (pdu.type !== "p-data-tf") throw new Error(`unexpected ${pdu.type}`);
    let done = false;
    for (const pdv of pdu.pdvs) {
      (pdv.command ? command : data).push(pdv.data);
      done ||= !pdv.command && pdv.last;
    }
    if (!done) continue;
    const messageId = readU16le(decodeCommandSet(concatBytes(command)).get(0x00000110)!, 0);
    const uids = (readSopInstanceUid(concatBytes(data), explicit) ?? "").split("\\");
    record.queries.push(uids);
    command = [];
    data = [];
    if (script.onQuery === "abort") {
      peer.send({ type: "abort", source: 0, reason: 0 });
      peer.close();
      return;
    }
    const out: Uint8Array[] = [];
    for (const uid of uids.filter((u) => script.holds.has(u))) {
      const match = encodeImageQuery({ studyInstanceUid: "1.2", sopInstanceUids: [uid] }, explicit);
      out.push(
        encodePdu({
          type: "p-data-tf",
          pdvs: [
            {
              contextId: 1,
              command: true,
              last: true,
              data: encodeCFindRsp({
                messageIdBeingRespondedTo: messageId,
                status: 0xff00,
                hasDataSet: true,
              }),
            },
            { contextId: 1, command: false, last: true, data: match },
          ],
        }),
      );
    }
    const status = script.onQuery?.status ?? 0;
    const last = encodeCFindRsp({
      messageIdBeingRespondedTo: messageId,
      status,
      hasDataSet: false,
    });
    out.push(
      encodePdu({
        type: "p-data-tf",
        pdvs: [{ contextId: 1, command: true, last: true, data: last }],
      }),
    );
    for (const bytes of out) peer.send(bytes);
  }
}

export const newFindRecord = (): FindRecord => ({ queries: [], released: false });
