// Cuts a TCP byte stream into PDUs: a PDU may arrive split over many reads, and one read may hold
// several PDUs. Bounded: a PDU announcing more than `maxBodyBytes` is refused before it is buffered,
// so a broken or hostile peer cannot make the worker hold an arbitrary amount of memory.
import { concatBytes, readU32be } from "./bytes";
import { PDU_HEADER_BYTES, decodePdu } from "./pdu";
import { PduDecodeError, type Pdu } from "./pdu-types";

export interface ReadResult {
  pdus: Pdu[];
  /** Set when the stream stopped making sense; the reader accepts nothing after it. */
  error?: PduDecodeError;
}

export class PduReader {
  private chunks: Uint8Array[] = [];
  private size = 0;
  private failed: PduDecodeError | undefined;

  constructor(private readonly maxBodyBytes: number) {}

  /** Bytes received but not yet part of a complete PDU. */
  get buffered(): number {
    return this.size;
  }

  push(chunk: Uint8Array): ReadResult {
    if (this.failed) return { pdus: [], error: this.failed };
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.size += chunk.length;
    }
    const pdus: Pdu[] = [];
    try {
      for (;;) {
        const pdu = this.next();
        if (!pdu) break;
        pdus.push(pdu);
      }
    } catch (error) {
      this.failed = error instanceof PduDecodeError ? error : new PduDecodeError("undecodable PDU");
      this.chunks = [];
      this.size = 0;
      return { pdus, error: this.failed };
    }
    return { pdus };
  }

  private next(): Pdu | undefined {
    if (this.size < PDU_HEADER_BYTES) return undefined;
    const header = this.peek(PDU_HEADER_BYTES);
    const type = header[0] ?? 0;
    const length = readU32be(header, 2);
    if (type < 0x01 || type > 0x07) {
      throw new PduDecodeError(`unknown PDU type 0x${type.toString(16).padStart(2, "0")}`);
    }
    if (length > this.maxBodyBytes) {
      throw new PduDecodeError(`PDU of ${length} bytes exceeds the ${this.maxBodyBytes} accepted`);
    }
    if (this.size < PDU_HEADER_BYTES + length) return undefined;
    this.take(PDU_HEADER_BYTES);
    return decodePdu(type, this.take(length));
  }

  /** The first `n` buffered bytes, without consuming them (n <= size). */
  private peek(n: number): Uint8Array {
    const first = this.chunks[0];
    if (first && first.length >= n) return first.subarray(0, n);
    return concatBytes(this.chunks).subarray(0, n);
  }

  /** Consumes and returns the first `n` buffered bytes (n <= size); no copy within one chunk. */
  private take(n: number): Uint8Array {
    const first = this.chunks[0];
    if (first && first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.size -= n;
      return first.subarray(0, n);
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const head = this.chunks[0];
      if (!head) break;
      const part = Math.min(head.length, n - filled);
      out.set(head.subarray(0, part), filled);
      filled += part;
      if (part === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(part);
    }
    this.size -= n;
    return out;
  }
}
