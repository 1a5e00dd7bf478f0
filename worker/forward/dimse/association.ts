// Runs one association over an injected socket: feeds socket bytes, timers and the caller's
// requests into the pure machine (association-machine.ts) and carries out the actions it returns.
// The only place with I/O and timers; it knows nothing about files or outcomes.
import {
  transition,
  type Action,
  type Answer,
  type Ending,
  type Event,
  type MachineConfig,
  type Negotiated,
  type State,
} from "./association-machine";
import type { CStoreRsp, DimseRsp } from "./dimse-command";
import { FileReadError } from "./fragments";
import { encodePdu } from "./pdu";
import { PduReader } from "./pdu-reader";
import type { Connect, DimseSocket } from "./types";

type Signal =
  | { type: "associated"; negotiated: Negotiated }
  | ({ type: "pending" } & Answer)
  | ({ type: "response" } & Answer)
  | { type: "ended"; ending: Ending };

/** How long a closing socket may take to flush a final A-ABORT before it is closed anyway. */
const FLUSH_GRACE_MS = 500;
/** Largest PDU accepted from the peer: an A-ASSOCIATE-AC for 128 contexts fits many times over. */
const MAX_INCOMING_PDU_BYTES = 1024 * 1024;

export interface StoreRequest {
  messageId: number;
  contextId: number;
  commandPdus: Uint8Array[];
  dataPdus: AsyncIterable<Uint8Array>;
}

export interface FindRequest {
  messageId: number;
  contextId: number;
  commandPdus: Uint8Array[];
  /** The identifier, already cut into P-DATA-TF PDUs: a few KB at most. */
  identifierPdus: Uint8Array[];
}

export class Association {
  private state: State = { kind: "idle" };
  private readonly events: Event[] = [];
  private running = false;
  private socket: DimseSocket | undefined;
  private writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  private writes: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly signals: Signal[] = [];
  private waiter: ((signal: Signal) => void) | undefined;
  private readonly pdus = new PduReader(MAX_INCOMING_PDU_BYTES);
  private markEnded: () => void = () => undefined;
  /** Resolves when the association ends; a write blocked on a dead socket never outlives it. */
  private readonly ended = new Promise<void>((resolve) => (this.markEnded = resolve));

  constructor(
    private readonly config: MachineConfig,
    private readonly address: { hostname: string; port: number },
    private readonly connect: Connect,
  ) {}

  get ending(): Ending | undefined {
    return this.state.kind === "closed" ? this.state.ending : undefined;
  }

  async open(): Promise<{ ok: true; negotiated: Negotiated } | { ok: false; ending: Ending }> {
    this.dispatch({ type: "connect" });
    const signal = await this.next();
    if (signal.type === "associated") return { ok: true, negotiated: signal.negotiated };
    return { ok: false, ending: this.endingOf(signal) };
  }

  /** Sends one C-STORE-RQ and its data set; the response, or how the association ended. */
  async store(
    request: StoreRequest,
  ): Promise<{ rsp: CStoreRsp } | { ending: Ending; started: boolean }> {
    this.dispatch({ type: "store", messageId: request.messageId, contextId: request.contextId });
    const started = this.state.kind === "sending";
    if (started) await this.send(request.commandPdus, request.dataPdus);
    const signal = await this.next();
    if (signal.type === "response") return { rsp: signal.rsp };
    return { ending: this.endingOf(signal), started };
  }

  /**
   * Sends one C-FIND-RQ and its identifier; hands each match's identifier to `onMatch` as it
   * arrives, and returns the final response, or how the association ended.
   */
  async find(
    request: FindRequest,
    onMatch: (identifier: Uint8Array | undefined) => void,
  ): Promise<{ rsp: DimseRsp } | { ending: Ending }> {
    this.dispatch({ type: "find", messageId: request.messageId, contextId: request.contextId });
    if (this.state.kind === "sending") await this.send(request.commandPdus, request.identifierPdus);
    for (;;) {
      const signal = await this.next();
      if (signal.type === "pending") onMatch(signal.identifier);
      else if (signal.type === "response") return { rsp: signal.rsp };
      else return { ending: this.endingOf(signal) };
    }
  }

  /** Writes a request's PDUs while the machine is "sending", then says they are out. */
  private async send(
    commandPdus: Uint8Array[],
    dataPdus: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  ): Promise<void> {
    try {
      for (const pdu of commandPdus) await Promise.race([this.write(pdu), this.ended]);
      for await (const pdu of dataPdus) {
        if (this.ending) break;
        await Promise.race([this.write(pdu), this.ended]);
        this.dispatch({ type: "progress" });
      }
      this.dispatch({ type: "sent" });
    } catch (error) {
      if (error instanceof FileReadError) this.dispatch({ type: "abort", detail: error.message });
      else this.dispatch({ type: "transport_closed" });
    }
  }

  /** Releases the association (A-RELEASE-RQ/RP) if it is still up; how it ended. */
  async release(): Promise<Ending> {
    this.dispatch({ type: "release" });
    return this.endingOf(await this.next());
  }

  /** Aborts at once (A-ABORT), e.g. when the caller gives up. */
  abort(detail: string): void {
    this.dispatch({ type: "abort", detail });
  }

  private endingOf(signal: Signal): Ending {
    if (signal.type === "ended") return signal.ending;
    return this.ending ?? { kind: "protocol_error", detail: `unexpected ${signal.type}` };
  }

  private next(): Promise<Signal> {
    const queued = this.signals.shift();
    if (queued) return Promise.resolve(queued);
    const ending = this.ending;
    if (ending) return Promise.resolve({ type: "ended", ending });
    return new Promise((resolve) => (this.waiter = resolve));
  }

  private signal(signal: Signal): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter) waiter(signal);
    else this.signals.push(signal);
  }

  /** Events raised while actions run are queued, so each step's actions run in order. */
  private dispatch(event: Event): void {
    this.events.push(event);
    if (this.running) return;
    this.running = true;
    try {
      for (let e = this.events.shift(); e; e = this.events.shift()) {
        const step = transition(this.state, e, this.config);
        this.state = step.state;
        for (const action of step.actions) this.run(action);
      }
    } finally {
      this.running = false;
    }
  }

  private run(action: Action): void {
    switch (action.type) {
      case "open_transport":
        return this.openTransport();
      case "send":
        this.write(encodePdu(action.pdu)).then(
          () => undefined,
          () => this.dispatch({ type: "transport_closed" }),
        );
        return;
      case "start_timer":
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.dispatch({ type: "timeout" }), action.ms);
        return;
      case "stop_timer":
        clearTimeout(this.timer);
        this.timer = undefined;
        return;
      case "close_transport":
        return this.closeTransport();
      case "ended":
        this.markEnded();
        return this.signal(action);
      case "associated":
      case "pending":
      case "response":
        return this.signal(action);
    }
  }

  private openTransport(): void {
    let socket: DimseSocket;
    try {
      socket = this.connect(this.address);
    } catch {
      this.dispatch({ type: "connect_failed" });
      return;
    }
    this.socket = socket;
    this.writer = socket.writable.getWriter();
    socket.closed.then(
      () => undefined,
      () => undefined,
    );
    (socket.opened ?? Promise.resolve()).then(
      () => {
        this.dispatch({ type: "connected" });
        void this.readLoop(socket);
      },
      () => this.dispatch({ type: "connect_failed" }),
    );
  }

  private async readLoop(socket: DimseSocket): Promise<void> {
    try {
      const reader = socket.readable.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done || this.ending) break;
        const { pdus, error } = this.pdus.push(value);
        for (const pdu of pdus) this.dispatch({ type: "pdu", pdu });
        if (error) return this.dispatch({ type: "malformed", detail: error.message });
      }
    } catch {
      // A reset connection, or one we closed ourselves: both end the association below.
    }
    this.dispatch({ type: "transport_closed" });
  }

  /** Writes are chained so PDUs never interleave; the returned promise rejects if this one fails. */
  private write(bytes: Uint8Array): Promise<void> {
    const writer = this.writer;
    const written = this.writes.then(() => {
      if (!writer) throw new Error("no connection");
      return writer.write(bytes);
    });
    this.writes = written.catch(() => undefined);
    return written;
  }

  private closeTransport(): void {
    const socket = this.socket;
    if (!socket) return;
    let grace: ReturnType<typeof setTimeout> | undefined;
    const flushed = new Promise<void>((resolve) => {
      grace = setTimeout(resolve, FLUSH_GRACE_MS);
      void this.writes.then(resolve);
    });
    flushed
      .then(() => {
        clearTimeout(grace);
        return socket.close();
      })
      .catch(() => undefined);
  }
}
