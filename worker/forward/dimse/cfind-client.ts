// C-FIND SCU entry point for receipt confirmation: asks a PACS, over one association, which of the
// given SOP Instance UIDs it holds (IMAGE level, Study Root, lists of at most MAX_UIDS_PER_QUERY
// per query). Says either what it found, that asking again later may work, or that this PACS will
// not answer RelayPACS's queries at all (then only an administrator can change something).
import { Association } from "./association";
import { associateRq } from "./association-run";
import { encodeCFindRq, STUDY_ROOT_FIND } from "./cfind-command";
import { encodeImageQuery, imageQueries, readSopInstanceUid } from "./cfind-identifier";
import {
  findStatusVerdict,
  noQueryService,
  queryEndingVerdict,
  type FindVerdict,
} from "./cfind-verdicts";
import { commandPdus, maxFragmentBytes, smallDataSetPdus } from "./fragments";
import { EXPLICIT_VR_LE, IMPLICIT_VR_LE } from "./part10";
import { CONTEXT_RESULT } from "./pdu-types";
import type { Connect, CStoreConfig } from "./types";

export type { FindVerdict } from "./cfind-verdicts";

const CONTEXT_ID = 1;
/** An identifier of a few KB fits any PACS's PDU limit; these only bound the fragment size. */
const MIN_PDU = 1024;
const MAX_PDU = 16 * 1024;
/** A PACS answering far more matches than UIDs asked is broken; stop reading it. */
const MAX_MATCHES_PER_QUERY = 1000;

export type FindOutcome = { kind: "found"; present: Set<string> } | FindVerdict;

export async function findInstances(
  config: CStoreConfig,
  instances: readonly { studyInstanceUid: string; sopInstanceUid: string }[],
  connect: Connect,
): Promise<FindOutcome> {
  const association = new Association(
    {
      request: associateRq(config, [
        {
          id: CONTEXT_ID,
          abstractSyntax: STUDY_ROOT_FIND,
          transferSyntaxes: [EXPLICIT_VR_LE, IMPLICIT_VR_LE],
        },
      ]),
      timeoutMs: config.timeoutMs,
    },
    { hostname: config.host, port: config.port },
    connect,
  );
  const opened = await association.open();
  if (!opened.ok) return queryEndingVerdict(opened.ending, config, "associate");
  const context = opened.negotiated.contexts.find((c) => c.id === CONTEXT_ID);
  if (context?.result !== CONTEXT_RESULT.acceptance) {
    await association.release();
    return noQueryService();
  }
  const explicit = context.transferSyntax === EXPLICIT_VR_LE;
  if (!explicit && context.transferSyntax !== IMPLICIT_VR_LE) {
    association.abort("unproposed transfer syntax");
    return queryEndingVerdict({ kind: "protocol_error", detail: "syntax" }, config, "query");
  }
  const peerMax = opened.negotiated.peerMaxLength || MAX_PDU;
  const maxFragment = maxFragmentBytes(Math.max(MIN_PDU, Math.min(peerMax, MAX_PDU)));
  const asked = new Set(instances.map((i) => i.sopInstanceUid));
  const present = new Set<string>();
  let messageId = 0;
  for (const query of imageQueries(instances)) {
    messageId++;
    let matches = 0;
    const answer = await association.find(
      {
        messageId,
        contextId: CONTEXT_ID,
        commandPdus: commandPdus(
          encodeCFindRq({ messageId, sopClassUid: STUDY_ROOT_FIND }),
          CONTEXT_ID,
          maxFragment,
        ),
        identifierPdus: smallDataSetPdus(
          encodeImageQuery(query, explicit),
          CONTEXT_ID,
          maxFragment,
        ),
      },
      (identifier) => {
        if (++matches > MAX_MATCHES_PER_QUERY) association.abort("too many matches");
        const uid = identifier && readSopInstanceUid(identifier, explicit);
        if (uid && asked.has(uid)) present.add(uid);
      },
    );
    if ("ending" in answer) return queryEndingVerdict(answer.ending, config, "query");
    const failed = findStatusVerdict(answer.rsp.status);
    if (failed) {
      await association.release();
      return failed;
    }
  }
  // A failed release changes nothing: every query already had its final answer.
  await association.release();
  return { kind: "found", present };
}
