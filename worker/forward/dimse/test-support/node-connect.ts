// Node's node:net socket in the shape of a cloudflare:sockets Socket, so the C-STORE client runs
// unchanged in Node tests. Test support only: the worker passes the real `connect`.
import net from "node:net";
import type { Connect, DimseSocket } from "../types";

export const nodeConnect: Connect = ({ hostname, port }): DimseSocket => {
  const socket = net.connect({ host: hostname, port });
  socket.setNoDelay(true);
  // Errors surface through `opened`, the streams and write callbacks; a socket may emit several
  // (ECONNRESET then EPIPE), and an unhandled one would crash the process.
  socket.on("error", () => undefined);
  const opened = new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("error", reject);
  });
  opened.catch(() => undefined);
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));

  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      let done = false;
      const finish = (error?: Error) => {
        if (done) return;
        done = true;
        if (error) controller.error(error);
        else controller.close();
      };
      socket.on("data", (chunk: Buffer) => {
        if (done) return;
        controller.enqueue(new Uint8Array(chunk));
        if ((controller.desiredSize ?? 1) <= 0) socket.pause();
      });
      socket.once("end", () => finish());
      socket.once("error", (error) => finish(error));
      socket.once("close", () => finish());
    },
    pull() {
      socket.resume();
    },
    cancel() {
      socket.destroy();
    },
  });

  const writable = new WritableStream<Uint8Array>({
    write(chunk: Uint8Array) {
      return new Promise<void>((resolve, reject) => {
        if (socket.destroyed) return reject(new Error("socket closed"));
        socket.write(chunk, (error) => (error ? reject(error) : resolve()));
      });
    },
    close() {
      return new Promise<void>((resolve) => socket.end(resolve));
    },
    abort() {
      socket.destroy();
    },
  });

  return {
    readable,
    writable,
    opened,
    closed,
    close: () => {
      socket.destroy();
      return closed;
    },
  };
};
