// The DICOM upper-layer PDUs (PS3.8 section 9.3) as plain values. Codecs live in pdu.ts and
// pdu-associate.ts; these types carry no behaviour.

export const PDU_TYPE = {
  associateRq: 0x01,
  associateAc: 0x02,
  associateRj: 0x03,
  pDataTf: 0x04,
  releaseRq: 0x05,
  releaseRp: 0x06,
  abort: 0x07,
} as const;

/** The only application context name DICOM defines (PS3.7 Annex A.2.1). */
export const DICOM_APPLICATION_CONTEXT = "1.2.840.10008.3.1.1.1";

export interface ProposedContext {
  /** Odd, 1..255. */
  id: number;
  abstractSyntax: string;
  transferSyntaxes: string[];
}

/** Presentation context result/reason of an A-ASSOCIATE-AC (PS3.8 9.3.3.2). */
export const CONTEXT_RESULT = {
  acceptance: 0,
  userRejection: 1,
  noReason: 2,
  abstractSyntaxNotSupported: 3,
  transferSyntaxesNotSupported: 4,
} as const;

export interface ContextAnswer {
  id: number;
  result: number;
  /** Meaningful only when result is acceptance. */
  transferSyntax: string;
}

export interface UserInformation {
  /** Largest P-DATA-TF PDU (length field value) the sender can receive; 0 means no limit. */
  maxLength: number;
  implementationClassUid: string;
  implementationVersionName?: string;
}

interface AssociateFields {
  calledAeTitle: string;
  callingAeTitle: string;
  applicationContext: string;
  user: UserInformation;
}

export interface AssociateRq extends AssociateFields {
  type: "associate-rq";
  contexts: ProposedContext[];
}

export interface AssociateAc extends AssociateFields {
  type: "associate-ac";
  contexts: ContextAnswer[];
}

/** A-ASSOCIATE-RJ fields (PS3.8 9.3.4): result 1 permanent, 2 transient; source 1..3. */
export interface AssociateRj {
  type: "associate-rj";
  result: number;
  source: number;
  reason: number;
}

export interface Pdv {
  contextId: number;
  /** Message control header bit 0: a command fragment (true) or a data set fragment. */
  command: boolean;
  /** Message control header bit 1: the last fragment of the command or data set. */
  last: boolean;
  data: Uint8Array;
}

export interface PDataTf {
  type: "p-data-tf";
  pdvs: Pdv[];
}

export interface ReleaseRq {
  type: "release-rq";
}

export interface ReleaseRp {
  type: "release-rp";
}

/** A-ABORT: source 0 service user, 2 service provider; reason meaningful for source 2 only. */
export interface Abort {
  type: "abort";
  source: number;
  reason: number;
}

export type Pdu = AssociateRq | AssociateAc | AssociateRj | PDataTf | ReleaseRq | ReleaseRp | Abort;

/** A-ABORT reasons a service provider gives (PS3.8 9.3.8). */
export const ABORT_REASON = {
  notSpecified: 0,
  unrecognizedPdu: 1,
  unexpectedPdu: 2,
  unrecognizedPduParameter: 4,
  unexpectedPduParameter: 5,
  invalidPduParameterValue: 6,
} as const;

/** Bytes that do not form a valid PDU. The message is for logs: it never holds data set bytes. */
export class PduDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PduDecodeError";
  }
}
