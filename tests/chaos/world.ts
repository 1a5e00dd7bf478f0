// Everything one fault-matrix run reuses across scenarios: the stack (wrangler dev + Orthanc), the
// loopback proxy the browser goes through, FakePacs (a named fake, for the PACS answers Orthanc
// cannot give), an admin client for the clinic's destination, and Chromium on one persistent
// profile with a log of the upload requests it makes. Only what a fault kills is restarted.
import { EventEmitter } from "node:events";
import { cpSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import path from "node:path";
import type { BrowserContext, Page, Request, Response } from "playwright-core";
import { z } from "zod";
import { startFakePacs, type FakePacs } from "../support/fake-pacs";
import { startLoopbackProxy, type LoopbackProxy } from "../support/loopback-proxy";
import { launchChromium, signIn, startTestStack, type TestStack } from "../support/stack";

export const CHUNK_BYTES = 256 * 1024;

/** Upload requests seen in the browser: "put" (a chunk PUT started), "settled" (it ended),
 *  "complete" (the app asked the server to forward), "unauthorized" (a 401 on an upload call). */
export class NetLog extends EventEmitter {
  readonly open = new Set<Request>();

  attach(context: BrowserContext): void {
    context.on("request", (request) => {
      const url = new URL(request.url());
      if (!url.pathname.startsWith("/api/uploads")) return;
      if (request.method() === "PUT" && url.pathname.includes("/chunks/")) {
        this.open.add(request);
        this.emit("put", request);
      }
      if (request.method() === "POST" && url.pathname.endsWith("/complete")) {
        this.emit("complete", request);
      }
    });
    const settled = (request: Request) => {
      if (this.open.delete(request)) this.emit("settled", request);
    };
    context.on("requestfinished", settled);
    context.on("requestfailed", settled);
    context.on("response", (response: Response) => {
      if (response.status() === 401 && response.url().includes("/api/uploads")) {
        this.emit("unauthorized", response);
      }
    });
  }
}

/** Chromium on one profile, through the proxy; `restart()` is the app closed and reopened. */
export class ChaosApp {
  context: BrowserContext | null = null;
  page: Page | null = null;
  readonly net = new NetLog();
  #opening: Promise<void> | null = null;

  constructor(
    private readonly profile: string,
    readonly url: string,
    private readonly stack: TestStack,
  ) {}

  async open(): Promise<void> {
    const context = await launchChromium(this.profile);
    this.net.attach(context);
    this.context = context;
    const page = await context.newPage();
    await signIn(page, { ...this.stack, appUrl: this.url });
    this.page = page;
  }

  /** Closes Chromium (whatever it was doing) and opens it again on the queue screen. */
  async restart(): Promise<void> {
    const old = this.context;
    this.context = null;
    this.page = null;
    await old?.close().catch(() => undefined);
    this.#opening = (async () => {
      const context = await launchChromium(this.profile);
      this.net.attach(context);
      const page = await context.newPage();
      await gotoQueue(page, this.url);
      this.context = context;
      this.page = page;
    })();
    try {
      await this.#opening;
    } finally {
      this.#opening = null;
    }
  }

  /** The current page, waiting for a restart in progress. */
  async current(): Promise<Page> {
    for (let i = 0; i < 600 && (!this.page || this.page.isClosed()); i++) {
      await (this.#opening ?? new Promise((r) => setTimeout(r, 100))).catch(() => undefined);
    }
    if (!this.page) throw new Error("the browser did not come back");
    return this.page;
  }

  async close(): Promise<void> {
    await this.context?.close().catch(() => undefined);
  }
}

/** Opens the queue screen; while the link is cut the service worker serves it, or we retry. */
export async function gotoQueue(page: Page, url: string, budgetMs = 60_000): Promise<void> {
  const deadline = Date.now() + budgetMs;
  for (let attempt = 0; ; attempt++) {
    const left = deadline - Date.now();
    try {
      await page.goto(`${url}/queue`, { timeout: Math.max(1_000, Math.min(20_000, left)) });
      await page
        .getByRole("heading", { name: "Upload queue" })
        .waitFor({ timeout: Math.max(1_000, Math.min(15_000, left)) });
      return;
    } catch (error) {
      if (process.env.CHAOS_DEBUG)
        console.log(`gotoQueue attempt ${attempt}: ${String(error).split("\n")[0]}`);
      if (Date.now() >= deadline || page.isClosed()) throw error;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** The clinic's destination through the admin API, straight to wrangler (not via the proxy). */
export class Admin {
  #token: { value: string; at: number } | null = null;

  constructor(private readonly stack: TestStack) {}

  async #call(method: string, pathname: string, body?: unknown): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        const token = await this.#accessToken();
        const response = await fetch(`${this.stack.appUrl}${pathname}`, {
          method,
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(10_000),
        });
        if (response.ok) return;
        if (response.status === 401) this.#token = null;
        else if (response.status < 500) {
          throw new Error(`${method} ${pathname}: ${response.status} ${await response.text()}`);
        }
      } catch (error) {
        if (error instanceof Error && error.message.startsWith(method)) throw error;
        // wrangler is being restarted by a fault: try again.
      }
      if (Date.now() > deadline) throw new Error(`${method} ${pathname}: no answer for 60 s`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  async #accessToken(): Promise<string> {
    if (this.#token && Date.now() - this.#token.at < 5 * 60_000) return this.#token.value;
    const response = await fetch(`${this.stack.appUrl}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(this.stack.login),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`sign-in for the admin API: ${response.status}`);
    const { accessToken } = z.object({ accessToken: z.string() }).parse(await response.json());
    this.#token = { value: accessToken, at: Date.now() };
    return accessToken;
  }

  /** A STOW-RS destination at `url`, with Orthanc's credentials (FakePacs passes them on). */
  setDestination(url: string, extra: Record<string, unknown> = {}): Promise<void> {
    return this.#call("PUT", "/api/admin/destination", {
      name: "Chaos PACS",
      adapter: "stow-rs",
      url,
      auth: {
        kind: "basic",
        username: this.stack.orthanc.username,
        passwordSecret: "PACS_PASSWORD",
      },
      ...extra,
    });
  }

  /** Back to the default destination: Orthanc itself. */
  resetDestination(): Promise<void> {
    return this.#call("DELETE", "/api/admin/destination");
  }
}

export interface World {
  stack: TestStack;
  proxy: LoopbackProxy;
  fake: FakePacs;
  admin: Admin;
  app: ChaosApp;
  /** The worker's signing key (dev.env), to forge an expired upload token. */
  jwtSecret: string;
  stop(): Promise<void>;
}

/**
 * A copy of what `wrangler dev` runs (config, worker, Durable Objects, the built PWA), so that
 * edits in the working tree during a run neither reload the worker (an uncounted fault) nor
 * change the code under test halfway.
 */
function snapshotSources(root: string, dir: string): string {
  const src = path.join(dir, "src");
  mkdirSync(src, { recursive: true });
  for (const item of ["wrangler.toml", "package.json", "tsconfig.json", "worker", "durable"]) {
    cpSync(path.join(root, item), path.join(src, item), { recursive: true });
  }
  cpSync(path.join(root, "web/build"), path.join(src, "web/build"), { recursive: true });
  symlinkSync(path.join(root, "node_modules"), path.join(src, "node_modules"), "dir");
  return src;
}

export async function startWorld(
  root: string,
  dir: string,
  uploadBytesPerSecond: number,
): Promise<World> {
  // Small chunks, so a study of a few hundred KB goes in several requests and a fault lands in one.
  const bytes = String(CHUNK_BYTES);
  const stack = await startTestStack({
    vars: { MIN_CHUNK_BYTES: bytes, MAX_CHUNK_BYTES: bytes, PREFERRED_CHUNK_BYTES: bytes },
    sourceDir: snapshotSources(root, dir),
  });
  // Stopped in this order: the browser, then the stack (so wrangler's idle connections to
  // FakePacs and the proxy close), then the proxy and FakePacs; none may hold the run up.
  const closers: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const close of closers) {
      await Promise.race([
        close().catch(() => undefined),
        new Promise((r) => setTimeout(r, 20_000)),
      ]);
    }
  };
  try {
    const proxy = await startLoopbackProxy(Number(new URL(stack.appUrl).port), {
      uploadBytesPerSecond,
    });
    const fake = await startFakePacs(stack.orthanc.url);
    const env = readFileSync(path.join(stack.appDir, "dev.env"), "utf8");
    const jwtSecret = /^JWT_SECRET=(\w+)$/m.exec(env)?.[1] ?? "";
    const app = new ChaosApp(path.join(dir, "profile"), proxy.url, stack);
    closers.push(
      () => app.close(),
      () => stack.stop(),
      () => proxy.close(),
      () => fake.close(),
    );
    await app.open();
    return { stack, proxy, fake, admin: new Admin(stack), app, jwtSecret, stop };
  } catch (error) {
    if (closers.length === 0) await stack.stop();
    await stop();
    throw error;
  }
}
