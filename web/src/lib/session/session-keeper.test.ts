import { describe, expect, it } from "vitest";
import { ApiError, NETWORK_ERROR_MESSAGE } from "../uploader/api";
import { ACCESS_SECONDS, DEVICE_ID, FakeAuthServer, memoryStore } from "./fake-auth";
import type { LockPort, SessionStore } from "./ports";
import { REFRESH_LOCK } from "./refresh-timing";
import { SessionKeeper } from "./session-keeper";
import { SIGN_IN_EXPIRED_MESSAGE } from "./sign-in-end";
import { localLocks } from "./web-locks";

const T0 = Date.UTC(2026, 0, 31, 8, 0, 0);
const MINUTE = 60_000;

class ManualClock {
  constructor(public ms: number) {}
  now = () => this.ms;
  advance(ms: number) {
    this.ms += ms;
  }
}

/** A lock port that records which locks were taken and whether one is held. */
function recordingLocks(inner: LockPort = localLocks()) {
  const taken: string[] = [];
  let held = 0;
  const port: LockPort = {
    exclusive: (name, task) =>
      inner.exclusive(name, async () => {
        taken.push(name);
        held++;
        try {
          return await task();
        } finally {
          held--;
        }
      }),
  };
  return { port, taken, isHeld: () => held > 0 };
}

function setup(options: { serverOffsetMs?: number } = {}) {
  const clock = new ManualClock(T0);
  const server = new FakeAuthServer(T0 + (options.serverOffsetMs ?? 0));
  const store = memoryStore();
  const locks = recordingLocks();
  const tab = (s: SessionStore = store, l: LockPort = locks.port) =>
    new SessionKeeper({ store: s, locks: l, api: server, clock });
  const keeper = tab();
  const advance = (ms: number) => {
    clock.advance(ms);
    server.serverNow += ms;
  };
  return { clock, server, store, locks, keeper, tab, advance };
}

async function signedIn(options?: { serverOffsetMs?: number }) {
  const s = setup(options);
  await s.keeper.restore();
  await s.keeper.signInWithEmail("amina@clinic.example", "correct horse battery");
  return s;
}

/** Signed in, then a refresh sent and held at the server until `open()`. */
async function refreshHeldAtServer() {
  const s = await signedIn();
  s.advance(15 * MINUTE);
  let open!: () => void;
  s.server.gate = new Promise<void>((resolve) => (open = resolve));
  const refreshing = s.keeper.freshAccessToken();
  await new Promise((resolve) => setTimeout(resolve, 0)); // the exchange has reached the server
  return { ...s, refreshing, open };
}

describe("refresh timing", () => {
  it("hands out a token with more than a minute left without refreshing", async () => {
    const { keeper, server, advance } = await signedIn();
    const first = keeper.snapshot.session!.accessToken;
    advance(ACCESS_SECONDS * 1000 - MINUTE - 1000);
    expect(await keeper.freshAccessToken()).toBe(first);
    expect(server.refreshCalls).toBe(0);
  });

  it("refreshes a token within 60 s of running out, and keeps the new pair in the store", async () => {
    const { keeper, server, store, advance } = await signedIn();
    const first = keeper.snapshot.session!.accessToken;
    advance(ACCESS_SECONDS * 1000 - MINUTE + 1000);
    const token = await keeper.freshAccessToken();
    expect(server.refreshCalls).toBe(1);
    expect(token).not.toBe(first);
    expect(store.session?.accessToken).toBe(token);
    expect(store.session?.refreshToken).toBe("refresh-2");
  });

  it("counts expiry by this device's clock: a server clock 10 minutes ahead changes nothing", async () => {
    const { keeper, server, clock } = await signedIn({ serverOffsetMs: 10 * MINUTE });
    // By the server's own expiresAt the token would look nearly spent on this device already.
    expect(keeper.snapshot.session!.expiresAt - clock.now()).toBeGreaterThan(20 * MINUTE);
    clock.advance(10 * MINUTE);
    await keeper.freshAccessToken();
    expect(server.refreshCalls).toBe(0);
    clock.advance(4 * MINUTE + 1000);
    await keeper.freshAccessToken();
    expect(server.refreshCalls).toBe(1);
  });

  it("resolves null when nobody is signed in", async () => {
    const { keeper } = setup();
    expect(await keeper.freshAccessToken()).toBeNull();
  });
});

describe("the cross-tab lock", () => {
  it("exchanges the refresh token only while holding the relaypacs-refresh lock", async () => {
    const { keeper, server, locks, advance } = await signedIn();
    advance(15 * MINUTE);
    let heldDuringRefresh = false;
    const refresh = server.refresh.bind(server);
    server.refresh = (token) => {
      heldDuringRefresh = locks.isHeld();
      return refresh(token);
    };
    await keeper.freshAccessToken();
    expect(REFRESH_LOCK).toBe("relaypacs-refresh");
    expect(locks.taken).toEqual(["relaypacs-refresh"]);
    expect(heldDuringRefresh).toBe(true);
  });

  it("two tabs refreshing at once exchange the token once and both get the new one", async () => {
    const { server, tab, store, advance } = await signedIn();
    const a = tab();
    const b = tab();
    await Promise.all([a.restore(), b.restore()]);
    advance(15 * MINUTE);
    let open!: () => void;
    server.gate = new Promise<void>((resolve) => (open = resolve));
    const both = Promise.all([a.freshAccessToken(), b.freshAccessToken()]);
    open();
    const [ta, tb] = await both;
    expect(server.refreshCalls).toBe(1);
    expect(ta).toBe(tb);
    expect(ta).toBe(store.session?.accessToken);
    expect(server.reuseDetected).toBe(false);
  });

  it("a tab holding an old refresh token in memory sends the stored one, never its own", async () => {
    const { server, tab, keeper, advance } = await signedIn();
    const stale = tab();
    await stale.restore();
    const oldRefresh = stale.snapshot.session!.refreshToken!;
    advance(15 * MINUTE);
    await keeper.freshAccessToken(); // the first tab rotates: refresh-1 is now used
    advance(14 * MINUTE); // both tabs' tokens are due again
    const token = await stale.freshAccessToken();
    expect(token).not.toBeNull();
    expect(server.refreshCalls).toBe(2);
    expect(server.reuseDetected).toBe(false);
    // Had it sent what it held in memory, the server would have ended the whole sign-in.
    await expect(server.refresh(oldRefresh)).rejects.toThrow(/used a second time/);
  });

  it("adopts the token another tab stored while this one waited, without a second refresh", async () => {
    const { server, tab, keeper, advance } = await signedIn();
    const other = tab();
    await other.restore();
    advance(15 * MINUTE);
    const fresh = await keeper.freshAccessToken();
    expect(await other.freshAccessToken()).toBe(fresh);
    expect(server.refreshCalls).toBe(1);
  });

  it("calls within one tab share one refresh", async () => {
    const { keeper, server, locks, advance } = await signedIn();
    advance(15 * MINUTE);
    const tokens = await Promise.all([1, 2, 3].map(() => keeper.freshAccessToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(server.refreshCalls).toBe(1);
    expect(locks.taken).toHaveLength(1);
  });
});

describe("when the sign-in ends", () => {
  it("a revoked device: signed out with the server's words, and the device is forgotten", async () => {
    const { keeper, server, store, advance } = await signedIn();
    const message = "This device was removed from RelayPACS by your administrator.";
    server.revoked = { code: "device_revoked", message };
    advance(15 * MINUTE);
    expect(await keeper.freshAccessToken()).toBeNull();
    expect(keeper.snapshot).toMatchObject({ session: null, device: null, notice: message });
    expect(store.session).toBeNull();
    expect(store.device).toBeNull();
  });

  it("a reused refresh token: signed out with the server's explanation, device kept", async () => {
    const { keeper, server, store, advance } = await signedIn();
    await server.refresh(store.session!.refreshToken!); // a copy of the token was used elsewhere
    advance(15 * MINUTE);
    expect(await keeper.freshAccessToken()).toBeNull();
    expect(keeper.snapshot.notice).toMatch(/used a second time/);
    expect(keeper.snapshot.device?.deviceId).toBe(DEVICE_ID);
    expect(store.session).toBeNull();
  });

  it("a refresh token that ran out signs out without asking the server", async () => {
    const { keeper, server, advance } = await signedIn();
    advance(31 * 86_400_000);
    expect(await keeper.freshAccessToken()).toBeNull();
    expect(server.refreshCalls).toBe(0);
    expect(keeper.snapshot.notice).toBe(SIGN_IN_EXPIRED_MESSAGE);
  });

  it("signed out in another tab: the next call resolves null, quietly", async () => {
    const { keeper, tab, advance } = await signedIn();
    const other = tab();
    await other.restore();
    await other.signOut();
    advance(15 * MINUTE);
    expect(await keeper.freshAccessToken()).toBeNull();
    expect(keeper.snapshot.notice).toBeNull();
  });
});

describe("offline", () => {
  it("hands out the rest of the token while it lasts, then rejects, and stays signed in", async () => {
    const { keeper, server, advance } = await signedIn();
    server.failRefresh = new ApiError("network", NETWORK_ERROR_MESSAGE, 0);
    advance(14 * MINUTE + 30_000);
    const token = await keeper.freshAccessToken();
    expect(token).toBe(keeper.snapshot.session!.accessToken);
    advance(MINUTE);
    await expect(keeper.freshAccessToken()).rejects.toMatchObject({ code: "network" });
    expect(keeper.snapshot.session).not.toBeNull();
    server.failRefresh = null;
    expect(await keeper.freshAccessToken()).not.toBeNull();
  });

  it("a rate limit or server error does not sign out either", async () => {
    const { keeper, server, advance } = await signedIn();
    server.failRefresh = new ApiError("rate_limited", "Too many attempts.", 429);
    advance(16 * MINUTE);
    await expect(keeper.freshAccessToken()).rejects.toMatchObject({ code: "rate_limited" });
    expect(keeper.snapshot.session).not.toBeNull();
  });
});

describe("signing in and out", () => {
  it("keeps the refresh token and the device id across a relaunch", async () => {
    const { tab, store } = await signedIn();
    const relaunched = tab();
    await relaunched.restore();
    expect(relaunched.snapshot.session?.refreshToken).toBe(store.session?.refreshToken);
    expect(relaunched.snapshot.device).toEqual({
      deviceId: DEVICE_ID,
      userName: "Amina Diallo",
      email: "",
    });
  });

  it("email sign-in sends the known device id; device sign-in sends only id and password", async () => {
    const { keeper, server } = await signedIn();
    const bodies: unknown[] = [];
    const signIn = server.signIn.bind(server);
    server.signIn = (body) => {
      bodies.push(body);
      return signIn(body);
    };
    await keeper.signInWithEmail("amina@clinic.example", "pw", "Android phone, Chrome");
    await keeper.signInWithDevice("pw");
    expect(bodies).toEqual([
      {
        email: "amina@clinic.example",
        password: "pw",
        deviceId: DEVICE_ID,
        deviceName: "Android phone, Chrome",
      },
      { deviceId: DEVICE_ID, password: "pw" },
    ]);
  });

  it("a sign-in refused for a revoked device forgets that device", async () => {
    const { keeper, server, store } = await signedIn();
    await keeper.signOut();
    server.signIn = () => Promise.reject(new ApiError("device_revoked", "Removed.", 401));
    await expect(keeper.signInWithDevice("pw")).rejects.toMatchObject({ code: "device_revoked" });
    expect(keeper.snapshot.device).toBeNull();
    expect(store.device).toBeNull();
  });

  it("signing out forgets the tokens, keeps the device, and tells the server", async () => {
    const { keeper, server, store } = await signedIn();
    const { accessToken, refreshToken } = keeper.snapshot.session!;
    await keeper.signOut();
    expect(keeper.snapshot).toMatchObject({ session: null, notice: null });
    expect(store.session).toBeNull();
    expect(store.device?.deviceId).toBe(DEVICE_ID);
    expect(server.logoutCalls).toEqual([{ accessToken, refreshToken }]);
  });

  it("signing out while a refresh is on its way stays signed out, and ends the new pair too", async () => {
    const { keeper, server, store, refreshing, open } = await refreshHeldAtServer();
    expect(server.refreshCalls).toBe(1);
    const signingOut = keeper.signOut();
    open();
    expect(await refreshing).toBeNull();
    await signingOut;
    expect(keeper.snapshot.session).toBeNull();
    expect(store.session).toBeNull();
    expect(server.liveRefreshTokens).toEqual([]);
  });

  it("signing in again before that refresh answers keeps the new sign-in, stored", async () => {
    const { keeper, server, store, refreshing, open } = await refreshHeldAtServer();
    const signingOut = keeper.signOut();
    await keeper.signInWithEmail("amina@clinic.example", "correct horse battery");
    const again = keeper.snapshot.session!;
    open();
    expect(await refreshing).toBe(again.accessToken);
    await signingOut;
    expect(keeper.snapshot.session?.refreshToken).toBe(again.refreshToken);
    expect(store.session?.refreshToken).toBe(again.refreshToken);
    expect(server.liveRefreshTokens).toEqual([again.refreshToken]);
  });

  it("a second sign-out keeps the first one's explanation", async () => {
    const { keeper } = await signedIn();
    await keeper.signOut("This device was removed.");
    await keeper.signOut();
    expect(keeper.snapshot.notice).toBe("This device was removed.");
  });

  it("a session without a refresh token lives in memory only and ends with its token", async () => {
    const { keeper, store, clock } = setup();
    await keeper.restore();
    const server = new FakeAuthServer(T0);
    const {
      refreshToken: _r,
      refreshExpiresAt: _e,
      deviceId: _d,
      ...plain
    } = await server.signIn({ email: "a@b.example", password: "x" });
    await keeper.accept(plain);
    expect(store.session).toBeNull();
    expect(await keeper.freshAccessToken()).toBe(plain.accessToken);
    clock.advance(15 * MINUTE);
    expect(await keeper.freshAccessToken()).toBeNull();
    expect(keeper.snapshot.session).toBeNull();
  });

  it("tells subscribers about every change", async () => {
    const { keeper } = setup();
    const seen: Array<string | null> = [];
    keeper.subscribe((s) => seen.push(s.session?.user.name ?? null));
    await keeper.restore();
    await keeper.signInWithEmail("a@b.example", "pw");
    await keeper.signOut();
    expect(seen).toEqual([null, "Amina Diallo", null]);
  });
});

describe("ended by another API call", () => {
  it("a revoked device seen on any call: signed out with the words, the device forgotten", async () => {
    const { keeper, store } = await signedIn();
    await keeper.signOut("This device was removed.", { forgetDevice: true });
    expect(keeper.snapshot).toMatchObject({
      session: null,
      device: null,
      notice: "This device was removed.",
    });
    expect(store.device).toBeNull();
    expect(store.session).toBeNull();
  });
});

describe("signed out by a caller that only saw a refusal", () => {
  it("asks the server why once, and shows its words", async () => {
    const { keeper, server, store } = await signedIn();
    server.revoked = { code: "device_revoked", message: "This device was removed." };
    await keeper.signOutEnded();
    expect(server.refreshCalls).toBe(1);
    expect(keeper.snapshot).toMatchObject({
      session: null,
      device: null,
      notice: "This device was removed.",
    });
    expect(store.session).toBeNull();
  });

  it("offline, or the server not saying: a plain 'signed out'", async () => {
    const { keeper, server } = await signedIn();
    server.failRefresh = new ApiError("network", NETWORK_ERROR_MESSAGE, 0);
    await keeper.signOutEnded();
    expect(keeper.snapshot.notice).toBe("You were signed out. Sign in again to continue.");
    expect(keeper.snapshot.device?.deviceId).toBe(DEVICE_ID);
  });
});
