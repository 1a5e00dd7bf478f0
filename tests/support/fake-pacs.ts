// FakePacs: a named fake, for the PACS faults a real Orthanc cannot be made to produce. It sits in
// front of the real Orthanc as a reverse proxy and, per path prefix, misbehaves on purpose:
//
//   /proxy/...              pass everything through to Orthanc
//   /limit-{bytes}/...      a size-limited reverse proxy: 413 for bodies over {bytes} (like
//                           nginx's client_max_body_size), else pass through
//   /slow-{ms}/...          wait {ms} before passing through (timeouts)
//   /script-{key}/...       answer POSTs with the responses scripted for {key}, in order, then
//                           pass through. Script with PUT /_script/{key} and a JSON body
//                           [{ "status": 503 }, { "status": 409, "body": {...} }, ...]
//   GET /_count/{key}       how many requests {key}'s prefix has seen, as JSON; and
//   GET /_count/{key}-refused how many of them it answered itself (a 413 or a scripted answer)
//
// Tests inside workerd reach it over loopback like any PACS. Node only.
import http from "node:http";
import type { AddressInfo } from "node:net";

interface Scripted {
  status: number;
  body?: unknown;
  contentType?: string;
}

export interface FakePacs {
  url: string;
  close(): Promise<void>;
}

export async function startFakePacs(orthancUrl: string): Promise<FakePacs> {
  const scripts = new Map<string, Scripted[]>();
  const counts = new Map<string, number>();
  const upstream = new URL(orthancUrl);

  const passThrough = (req: http.IncomingMessage, res: http.ServerResponse, path: string) => {
    const proxied = http.request(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        path,
        method: req.method,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    proxied.on("error", () => {
      res.writeHead(502).end();
    });
    req.pipe(proxied);
  };

  const drain = (req: http.IncomingMessage) =>
    new Promise<Buffer>((resolve) => {
      const parts: Buffer[] = [];
      req.on("data", (d: Buffer) => parts.push(d));
      req.on("end", () => resolve(Buffer.concat(parts)));
    });

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = req.url ?? "/";
      const control = /^\/_(script|count)\/([\w-]+)$/.exec(url);
      if (control) {
        const [, what, key] = control as unknown as [string, string, string];
        if (what === "script" && req.method === "PUT") {
          scripts.set(key, JSON.parse((await drain(req)).toString("utf8")) as Scripted[]);
          res.writeHead(204).end();
        } else {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ count: counts.get(key) ?? 0 }));
        }
        return;
      }
      const match = /^\/(proxy|limit-(\d+)|slow-(\d+)|script-([\w-]+))(\/.*)$/.exec(url);
      if (!match) {
        res.writeHead(404).end();
        return;
      }
      const [, prefix = "", limit, slow, key, rest = "/"] = match;
      counts.set(prefix, (counts.get(prefix) ?? 0) + 1);
      if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + 1);
      if (limit !== undefined && Number(req.headers["content-length"] ?? 0) > Number(limit)) {
        await drain(req);
        counts.set(`${prefix}-refused`, (counts.get(`${prefix}-refused`) ?? 0) + 1);
        res.writeHead(413, { "content-type": "text/html" });
        res.end("<html><body><h1>413 Request Entity Too Large</h1></body></html>");
        return;
      }
      if (slow !== undefined) await new Promise((r) => setTimeout(r, Number(slow)));
      if (key !== undefined && req.method === "POST") {
        const next = scripts.get(key)?.shift();
        if (next) {
          await drain(req);
          counts.set(`${key}-refused`, (counts.get(`${key}-refused`) ?? 0) + 1);
          const body = next.body === undefined ? "" : JSON.stringify(next.body);
          res.writeHead(next.status, {
            "content-type": next.contentType ?? "application/dicom+json",
          });
          res.end(body);
          return;
        }
      }
      passThrough(req, res, `${upstream.pathname.replace(/\/$/, "")}${rest}`);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  // Never keep the test runner alive: neither the listener nor an idle keep-alive connection.
  server.unref();
  server.on("connection", (socket) => socket.unref());
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
