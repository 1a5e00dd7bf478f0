// A TCP proxy on loopback between Chromium and `wrangler dev`, owned by the test: it paces the
// browser's uploads (so a chunk takes long enough to be cut in its middle) and cuts the network on
// demand (every open connection reset, new ones refused) for as long as the test says. It is the
// network, not a fake of any component: bytes pass through unchanged. Node only.
import net from "node:net";
import type { AddressInfo } from "node:net";

export interface LoopbackProxy {
  /** http://127.0.0.1:PORT, the address the browser uses instead of the upstream's. */
  url: string;
  /** Resets every open connection and refuses new ones for `ms`; resolves when the link is back. */
  cut(ms: number): Promise<void>;
  close(): Promise<void>;
}

export interface ProxyOptions {
  /** Pace browser-to-server bytes at this rate (bytes per second); 0: no pacing. */
  uploadBytesPerSecond: number;
}

export async function startLoopbackProxy(
  upstreamPort: number,
  options: ProxyOptions,
): Promise<LoopbackProxy> {
  const sockets = new Set<net.Socket>();
  let cutUntil = 0;

  const server = net.createServer((client) => {
    if (Date.now() < cutUntil) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(upstreamPort, "127.0.0.1");
    sockets.add(client);
    sockets.add(upstream);
    const forget = () => {
      sockets.delete(client);
      sockets.delete(upstream);
    };
    const fail = () => {
      forget();
      client.destroy();
      upstream.destroy();
    };
    client.on("error", fail);
    upstream.on("error", fail);
    client.on("close", () => {
      forget();
      upstream.destroy();
    });
    // The server closed: let the browser read what is buffered (pipe ends the client's side).
    upstream.on("close", forget);
    upstream.pipe(client);
    client.on("data", (data: Buffer) => {
      const rate = options.uploadBytesPerSecond;
      if (rate <= 0) {
        if (!upstream.write(data)) {
          client.pause();
          upstream.once("drain", () => client.resume());
        }
        return;
      }
      // Pacing: these bytes arrive after the time they take on a link of `rate`, and the browser
      // sends no more meanwhile; so a request body is on the wire for size / rate.
      client.pause();
      setTimeout(
        () => {
          if (upstream.destroyed || client.destroyed) return;
          upstream.write(data);
          client.resume();
        },
        (data.length * 1000) / rate,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    async cut(ms) {
      cutUntil = Date.now() + ms;
      for (const socket of sockets) {
        // A reset, not a polite close: what a dropped Wi-Fi or mobile link looks like.
        if (!socket.destroyed) socket.resetAndDestroy();
      }
      sockets.clear();
      await new Promise((r) => setTimeout(r, ms));
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
