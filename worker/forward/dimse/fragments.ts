// Turns a DIMSE message into P-DATA-TF PDUs no longer than the peer accepts: the command set, and
// the data set read from a stream as its bytes arrive (one PDU buffer in memory at a time, so a
// 1 GB file never is). Each PDU carries one PDV; every fragment has an even length.
import { allocPdvPdu, PDV_DATA_OFFSET, PDV_OVERHEAD_BYTES, sealPdvPdu } from "./pdu";

/** The stored file ended early or could not be read: the data set cannot be completed. */
export class FileReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FileReadError";
  }
}

/** Largest fragment in a P-DATA-TF whose length field may be at most `maxPduLength`. */
export function maxFragmentBytes(maxPduLength: number): number {
  return Math.max(0, (maxPduLength - PDV_OVERHEAD_BYTES) & ~1);
}

export function commandPdus(
  command: Uint8Array,
  contextId: number,
  maxFragment: number,
): Uint8Array[] {
  return inMemoryPdus(command, contextId, maxFragment, true);
}

/** A small data set already in memory (a C-FIND identifier), cut like a command set. */
export function smallDataSetPdus(
  dataSet: Uint8Array,
  contextId: number,
  maxFragment: number,
): Uint8Array[] {
  return inMemoryPdus(dataSet, contextId, maxFragment, false);
}

function inMemoryPdus(
  bytes: Uint8Array,
  contextId: number,
  maxFragment: number,
  command: boolean,
): Uint8Array[] {
  const pdus: Uint8Array[] = [];
  for (let at = 0; at < bytes.length || pdus.length === 0; at += maxFragment) {
    const part = bytes.subarray(at, at + maxFragment);
    const pdu = allocPdvPdu(part.length);
    pdu.set(part, PDV_DATA_OFFSET);
    pdus.push(sealPdvPdu(pdu, contextId, command, at + maxFragment >= bytes.length));
  }
  return pdus;
}

export interface DataSetSlice {
  /** Bytes of the stream before the data set (preamble and file meta): read and dropped. */
  skip: number;
  /** Bytes of the data set: exactly this many are sent, the rest of the stream is ignored. */
  length: number;
  contextId: number;
  maxFragment: number;
}

/**
 * The data set of `stream` as P-DATA-TF PDUs. An odd-length data set (a deflated one, say) gets
 * one trailing NUL on the wire: PDV fragments must be even (PS3.5 A.5 pads deflated data sets the
 * same way, and dcmtk aborts on an odd fragment). Throws FileReadError if the stream falls short.
 */
export async function* dataSetPdus(
  stream: ReadableStream<Uint8Array>,
  slice: DataSetSlice,
): AsyncGenerator<Uint8Array, void, undefined> {
  if (slice.maxFragment < 2) throw new RangeError("fragment size below 2 bytes");
  const reader = stream.getReader();
  let toSkip = slice.skip;
  let sourceLeft = slice.length;
  let wireLeft = slice.length + (slice.length % 2);
  // PDU buffers start zeroed, so a pad byte is simply a byte never written.
  let pdu = allocPdvPdu(Math.min(slice.maxFragment, wireLeft));
  let filled = 0;
  const room = () => pdu.length - PDV_DATA_OFFSET - filled;
  try {
    while (sourceLeft > 0) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch {
        throw new FileReadError("the stored file could not be read");
      }
      if (result.done) throw new FileReadError("the stored file is shorter than its recorded size");
      let chunk = result.value;
      if (toSkip > 0) {
        const dropped = Math.min(toSkip, chunk.length);
        toSkip -= dropped;
        chunk = chunk.subarray(dropped);
      }
      while (chunk.length > 0 && sourceLeft > 0) {
        const part = chunk.subarray(0, Math.min(room(), sourceLeft));
        pdu.set(part, PDV_DATA_OFFSET + filled);
        filled += part.length;
        sourceLeft -= part.length;
        chunk = chunk.subarray(part.length);
        if (room() === 0) {
          wireLeft -= filled;
          yield sealPdvPdu(pdu, slice.contextId, false, wireLeft === 0);
          if (wireLeft > 0) pdu = allocPdvPdu(Math.min(slice.maxFragment, wireLeft));
          filled = 0;
        }
      }
    }
    // What is left: an empty data set, or a last fragment short of its pad byte.
    if (wireLeft > 0 || slice.length === 0) yield sealPdvPdu(pdu, slice.contextId, false, true);
  } finally {
    reader.cancel().catch(() => undefined);
  }
}
