// An in-memory DICOM peer for unit tests: `connect` returns a socket whose other end is a
// scripted peer reading and writing PDUs, with no network. Lets tests play any peer behaviour
// (reject, abort, close mid-transfer, stall) deterministically. Test support only.
import { encodePdu } from "../pdu";
import { PduReader } from "../pdu-reader";
import type { Pdu } from "../pdu-types";
import type { Connect, DimseSocket } from "../types";

class Pipe {
  private readonly chunks: Uint8Array[] = [];
  private waiter: (() => void) | undefined;
  ended = false;

  push(chunk: Uint8Array): void {
    if (this.ended) throw new Error("pipe closed");
    this.chunks.push(chunk);
    this.wake();
  }

  end(): void {
    this.ended = true;
    this.wake();
  }

  async read(): Promise<Uint8Array | undefined> {
    for (;;) {
      const chunk = this.chunks.shift();
      if (chunk) return chunk;
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}

export interface PeerSide {
  /** The next PDU from the client, or undefined once the client closed the connection. */
  read(): Promise<Pdu | undefined>;
  /** Sends a PDU (or raw bytes) to the client. */
  send(pdu: Pdu | Uint8Array): void;
  /** Closes the TCP connection from the peer's side. */
  close(): void;
  /** Once the client wrote this many bytes, its writes never complete (a peer that stopped reading). */
  stallAfterBytes: number;
  /** Every byte the client wrote, chunk by chunk. */
  readonly written: Uint8Array[];
}

export interface MemoryPeer {
  connect: Connect;
  /** How many connections the client opened. */
  readonly connections: number;
  /** Resolves when every script run so far has finished; rejects with a script's error. */
  settled(): Promise<void>;
}

/** `script` runs once per connection, with the connection's index (0 for the first). */
export function memoryPeer(script: (peer: PeerSide, index: number) => Promise<void>): MemoryPeer {
  const runs: Promise<void>[] = [];
  const connect: Connect = () => {
    const toPeer = new Pipe();
    const toClient = new Pipe();
    let resolveClosed: () => void = () => undefined;
    const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
    const shut = () => {
      toPeer.end();
      toClient.end();
      resolveClosed();
    };
    const reader = new PduReader(64 * 1024 * 1024);
    const pending: Pdu[] = [];
    const peer: PeerSide = {
      stallAfterBytes: Infinity,
      written: [],
      async read() {
        while (pending.length === 0) {
          const chunk = await toPeer.read();
          if (!chunk) return undefined;
          const { pdus, error } = reader.push(chunk);
          if (error) throw error;
          pending.push(...pdus);
        }
        return pending.shift();
      },
      send(pdu) {
        toClient.push(pdu instanceof Uint8Array ? pdu : encodePdu(pdu));
      },
      close: shut,
    };
    const socket: DimseSocket = {
      opened: Promise.resolve(),
      closed,
      readable: new ReadableStream<Uint8Array>({
        async pull(controller) {
          const chunk = await toClient.read();
          if (chunk) controller.enqueue(chunk);
          else controller.close();
        },
      }),
      writable: new WritableStream<Uint8Array>({
        async write(chunk: Uint8Array) {
          const before = peer.written.reduce((n, c) => n + c.length, 0);
          if (before >= peer.stallAfterBytes) {
            await closed; // like a real socket: a blocked write fails once the socket closes
            throw new Error("socket closed");
          }
          peer.written.push(chunk.slice());
          toPeer.push(chunk.slice());
        },
      }),
      close: () => {
        shut();
        return Promise.resolve();
      },
    };
    runs.push(script(peer, runs.length));
    return socket;
  };
  return {
    connect,
    get connections() {
      return runs.length;
    },
    settled: async () => {
      await Promise.all(runs);
    },
  };
}
