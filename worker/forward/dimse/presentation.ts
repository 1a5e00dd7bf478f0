// Presentation contexts for a batch: one per (SOP class, transfer syntax) pair, each proposing only
// the file's own transfer syntax. RelayPACS sends files as stored and never converts, so offering
// any other syntax would let the PACS pick one this file is not in. Then, per instance, the
// context the PACS accepted, or a plain reason why it cannot be sent.
import { CONTEXT_RESULT, type ContextAnswer, type ProposedContext } from "./pdu-types";
import { sopClassName, transferSyntaxName } from "./uid-names";

/** Context IDs are odd numbers 1..255 (PS3.8 9.3.2.2): at most 128 per association. */
export const MAX_CONTEXTS_PER_ASSOCIATION = 128;

export interface Syntaxes {
  sopClassUid: string;
  transferSyntaxUid: string;
}

export interface AssociationPlan<T> {
  contexts: ProposedContext[];
  items: T[];
}

const pairKey = (s: Syntaxes) => `${s.sopClassUid}|${s.transferSyntaxUid}`;

/**
 * Groups items into associations of at most `maxContexts` distinct pairs, in order of first
 * appearance; items keep their order within a group.
 */
export function planAssociations<T extends { info: Syntaxes }>(
  items: readonly T[],
  maxContexts = MAX_CONTEXTS_PER_ASSOCIATION,
): AssociationPlan<T>[] {
  const plans: AssociationPlan<T>[] = [];
  const planOf = new Map<string, AssociationPlan<T>>();
  for (const item of items) {
    const key = pairKey(item.info);
    let plan = planOf.get(key);
    if (!plan) {
      let last = plans[plans.length - 1];
      if (!last || last.contexts.length >= maxContexts) {
        last = { contexts: [], items: [] };
        plans.push(last);
      }
      last.contexts.push({
        id: 2 * last.contexts.length + 1,
        abstractSyntax: item.info.sopClassUid,
        transferSyntaxes: [item.info.transferSyntaxUid],
      });
      plan = last;
      planOf.set(key, plan);
    }
    plan.items.push(item);
  }
  return plans;
}

export type ContextChoice =
  { ok: true; contextId: number } | { ok: false; code: "context_rejected"; reason: string };

const ASK_ADMIN = "Ask your PACS administrator";

function refusal(result: number, s: Syntaxes): string {
  const kind = sopClassName(s.sopClassUid);
  const encoding = transferSyntaxName(s.transferSyntaxUid);
  switch (result) {
    case CONTEXT_RESULT.abstractSyntaxNotSupported:
      return `The PACS does not accept this kind of object: ${kind}. ${ASK_ADMIN} to enable it, or send it to a PACS that stores it.`;
    case CONTEXT_RESULT.transferSyntaxesNotSupported:
      return `The PACS cannot accept this image's encoding: ${encoding}. ${ASK_ADMIN} to enable it, or export the image again uncompressed (Explicit VR Little Endian).`;
    case CONTEXT_RESULT.userRejection:
      return `The PACS declined this kind of object (${kind}, ${encoding}) for RelayPACS. ${ASK_ADMIN} to allow it.`;
    default:
      return `The PACS declined this kind of object (${kind}, ${encoding}) and gave no reason. ${ASK_ADMIN} to check the PACS logs.`;
  }
}

/** The accepted context to send an instance with these syntaxes on, or why there is none. */
export function chooseContext(
  proposed: readonly ProposedContext[],
  answers: readonly ContextAnswer[],
  s: Syntaxes,
): ContextChoice {
  const context = proposed.find(
    (c) => c.abstractSyntax === s.sopClassUid && c.transferSyntaxes.includes(s.transferSyntaxUid),
  );
  const answer = context && answers.find((a) => a.id === context.id);
  if (!context || !answer) {
    return { ok: false, code: "context_rejected", reason: refusal(CONTEXT_RESULT.noReason, s) };
  }
  if (answer.result !== CONTEXT_RESULT.acceptance) {
    return { ok: false, code: "context_rejected", reason: refusal(answer.result, s) };
  }
  // Accepted, but with a syntax we did not offer for this context: the data set cannot go as is.
  if (answer.transferSyntax !== s.transferSyntaxUid) {
    return {
      ok: false,
      code: "context_rejected",
      reason: `The PACS asked for this image in a different encoding (${transferSyntaxName(answer.transferSyntax)}) than the one it has (${transferSyntaxName(s.transferSyntaxUid)}), and RelayPACS does not convert images. ${ASK_ADMIN} to accept the original encoding.`,
    };
  }
  return { ok: true, contextId: context.id };
}
