// Shared states, events and helpers for the association machine's tests. Test support only.
import { transition } from "../association-machine";
import type { Action, Ending, Event, MachineConfig, Negotiated, State } from "../association-types";
import { encodeCStoreRsp } from "../dimse-command";
import { DICOM_APPLICATION_CONTEXT, type AssociateAc, type Pdu } from "../pdu-types";

export const config: MachineConfig = {
  timeoutMs: 5000,
  request: {
    type: "associate-rq",
    calledAeTitle: "PACS",
    callingAeTitle: "RELAY",
    applicationContext: DICOM_APPLICATION_CONTEXT,
    contexts: [
      {
        id: 1,
        abstractSyntax: "1.2.840.10008.5.1.4.1.1.2",
        transferSyntaxes: ["1.2.840.10008.1.2.1"],
      },
    ],
    user: { maxLength: 16384, implementationClassUid: "2.25.1" },
  },
};
export const negotiated: Negotiated = {
  contexts: [{ id: 1, result: 0, transferSyntax: "1.2.840.10008.1.2.1" }],
  peerMaxLength: 32768,
};
export const ac: AssociateAc = {
  type: "associate-ac",
  calledAeTitle: "PACS",
  callingAeTitle: "RELAY",
  applicationContext: DICOM_APPLICATION_CONTEXT,
  contexts: negotiated.contexts,
  user: { maxLength: 32768, implementationClassUid: "1.2.3" },
};
export const timer: Action = { type: "start_timer", ms: 5000 };
export const closing = (ending: Ending): Action[] => [
  { type: "stop_timer" },
  { type: "close_transport" },
  { type: "ended", ending },
];

export const states = {
  idle: { kind: "idle" },
  connecting: { kind: "connecting" },
  awaitingAc: { kind: "awaiting_ac" },
  ready: { kind: "ready", negotiated },
  sending: { kind: "sending", negotiated, messageId: 3, contextId: 1, fragments: [] },
  awaitingRsp: { kind: "awaiting_rsp", negotiated, messageId: 3, contextId: 1, fragments: [] },
  awaitingRp: { kind: "awaiting_rp" },
  closed: { kind: "closed", ending: { kind: "released" } },
} satisfies Record<string, State>;

export const step = (state: State, event: Event) => transition(state, event, config);
export const pdu = (p: Pdu): Event => ({ type: "pdu", pdu: p });
export const rsp = (messageId: number, status: number) =>
  encodeCStoreRsp({ messageIdBeingRespondedTo: messageId, status });
export const pdata = (
  data: Uint8Array,
  options: { contextId?: number; command?: boolean; last?: boolean } = {},
): Event =>
  pdu({
    type: "p-data-tf",
    pdvs: [
      {
        contextId: options.contextId ?? 1,
        command: options.command ?? true,
        last: options.last ?? true,
        data,
      },
    ],
  });
