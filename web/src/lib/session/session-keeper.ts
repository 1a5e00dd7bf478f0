// The session core: keeps this device's sign-in, hands out an access token that is good for the
// next request, and ends the sign-in in plain words when the server says it is over. Framework-free
// (no Svelte, no DOM), so the page and the service worker share it; `auth.svelte.ts` is its shell.
//
// Refresh tokens rotate and the server revokes the whole sign-in when one is used twice, so an
// exchange happens only under one lock shared by every tab and worker, and the token sent is the
// one in the store, re-read inside that lock: another tab may have rotated it a moment ago.
import { ApiError } from "../uploader/api";
import type { LoginResponse, SignInRequest, SignInResponse } from "./contract";
import type { AuthApi, LockPort, NowClock, SessionStore } from "./ports";
import { isFresh, isUnexpired, REFRESH_LOCK, refreshExpired } from "./refresh-timing";
import { endsSignIn, SIGN_IN_EXPIRED_MESSAGE, SIGNED_OUT_MESSAGE } from "./sign-in-end";
import { knownDeviceOf, toStored, type KnownDevice, type StoredSession } from "./stored";

export interface SessionSnapshot {
  session: StoredSession | null;
  device: KnownDevice | null;
  /** Why the person was signed out, in words for them; null after they signed out themselves. */
  notice: string | null;
  /** False until the store has been read once. */
  restored: boolean;
}

export interface SessionKeeperPorts {
  store: SessionStore;
  locks: LockPort;
  api: AuthApi;
  clock: NowClock;
}

type Listener = (snapshot: SessionSnapshot) => void;

export class SessionKeeper {
  #snapshot: SessionSnapshot = { session: null, device: null, notice: null, restored: false };
  #restoring: Promise<void> | null = null;
  #refreshing: Promise<string | null> | null = null;
  /** Sign-outs in this tab so far: a refresh begun before one must not sign the tab back in. */
  #signOuts = 0;
  readonly #listeners = new Set<Listener>();
  readonly #ports: SessionKeeperPorts;

  constructor(ports: SessionKeeperPorts) {
    this.#ports = ports;
  }

  get snapshot(): SessionSnapshot {
    return this.#snapshot;
  }

  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Reads the store once (later calls wait for that read; a failed read is tried again). */
  restore(): Promise<void> {
    this.#restoring ??= this.reload().catch((error: unknown) => {
      this.#restoring = null;
      throw error;
    });
    return this.#restoring;
  }

  /** Reads the store again, e.g. when another tab says it signed in or out. */
  async reload(): Promise<void> {
    const { session, device } = await this.#ports.store.read();
    // A memory-only session (no refresh token) was never in the store: keep it.
    const current = this.#snapshot.session;
    const keep = session === null && current !== null && current.refreshToken === null;
    this.#set({ session: keep ? current : session, device, restored: true });
  }

  /**
   * Signs in with email and password. The known device's id goes along, so the server recognises
   * this device when it is the same person's. Rejects with an ApiError whose message to show.
   */
  signInWithEmail(email: string, password: string, deviceName?: string): Promise<void> {
    const deviceId = this.#snapshot.device?.deviceId;
    return this.#signIn({
      email,
      password,
      ...(deviceId ? { deviceId } : {}),
      ...(deviceName ? { deviceName } : {}),
    });
  }

  /** Signs the known device's person in again with their password (they may have no email). */
  signInWithDevice(password: string): Promise<void> {
    const device = this.#snapshot.device;
    if (!device) return Promise.reject(new Error("no device is known on this browser"));
    return this.#signIn({ deviceId: device.deviceId, password });
  }

  async #signIn(body: SignInRequest): Promise<void> {
    let response: SignInResponse;
    try {
      response = await this.#ports.api.signIn(body);
    } catch (error) {
      // A revoked device's id is refused for good: forget it so the next try makes a new device.
      if (error instanceof ApiError && error.code === "device_revoked") {
        this.#set({ device: null });
        await this.#ports.store.writeDevice(null);
      }
      throw error;
    }
    await this.accept(response);
  }

  /**
   * Takes a session that sign-in or enrollment returned. Memory changes at once (the screens
   * follow); the returned promise settles when the store has it.
   */
  accept(response: SignInResponse | LoginResponse): Promise<void> {
    const previous = this.#snapshot.session;
    const session = toStored(response, this.#ports.clock.now());
    this.#set({ session, device: knownDeviceOf(session) ?? this.#snapshot.device, notice: null });
    // Someone else enrolled or signed in on this device: end the previous sign-in on the server.
    if (previous?.refreshToken && previous.refreshToken !== session.refreshToken) {
      this.#ports.api.logout(null, previous.refreshToken).catch(() => undefined);
    }
    return this.#persist();
  }

  async #persist(): Promise<void> {
    const { session, device } = this.#snapshot;
    // Only a session with a refresh token is worth keeping: the other ends with its access token.
    if (session?.refreshToken) await this.#ports.store.writeSession(session);
    if (device) await this.#ports.store.writeDevice(device);
  }

  /**
   * An access token good for at least another minute; refreshed first when it is not. Resolves
   * null when signed out (`snapshot.notice` then says why). Rejects with the ApiError when the
   * token has run out and the server cannot be reached (offline): try again later.
   */
  async freshAccessToken(): Promise<string | null> {
    await this.restore();
    const session = this.#snapshot.session;
    if (session === null) return null;
    if (isFresh(session, this.#ports.clock.now())) return session.accessToken;
    // One exchange at a time in this tab; the lock serialises it with every other tab.
    this.#refreshing ??= this.#refreshUnderLock(session).finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  async #refreshUnderLock(mine: StoredSession): Promise<string | null> {
    if (mine.refreshToken === null) {
      if (isUnexpired(mine, this.#ports.clock.now())) return mine.accessToken;
      await this.#end(SIGNED_OUT_MESSAGE, false);
      return null;
    }
    const signOuts = this.#signOuts;
    const signedOutMeanwhile = () => this.#signOuts !== signOuts;
    // After a sign-out here, only a sign-in made since (if any) may hand out a token.
    const current = () => this.#snapshot.session?.accessToken ?? null;
    return this.#ports.locks.exclusive(REFRESH_LOCK, async () => {
      if (signedOutMeanwhile()) return current();
      const { session: stored } = await this.#ports.store.read();
      const now = this.#ports.clock.now();
      if (stored === null || stored.refreshToken === null) {
        // Signed out in another tab meanwhile.
        this.#set({ session: null });
        return null;
      }
      if (isFresh(stored, now)) {
        // Another tab refreshed while this one waited for the lock.
        this.#set({ session: stored });
        return stored.accessToken;
      }
      if (refreshExpired(stored, now)) {
        await this.#endHoldingLock(SIGN_IN_EXPIRED_MESSAGE, false);
        return null;
      }
      let response: SignInResponse;
      try {
        response = await this.#ports.api.refresh(stored.refreshToken);
      } catch (error) {
        if (endsSignIn(error)) {
          await this.#endHoldingLock(error.message, error.code === "device_revoked");
          return null;
        }
        // Offline or server trouble: what is left of the current token, else the error.
        if (isUnexpired(stored, this.#ports.clock.now())) return stored.accessToken;
        throw error;
      }
      const next = toStored(response, this.#ports.clock.now());
      if (signedOutMeanwhile()) {
        // The person signed out while the exchange was on its way: the new pair must neither
        // sign this tab back in nor stay valid on the server.
        await this.#ports.api.logout(next.accessToken, next.refreshToken).catch(() => undefined);
        return current();
      }
      await this.#ports.store.writeSession(next);
      this.#set({ session: next });
      return next.accessToken;
    });
  }

  /**
   * Signs out: forgets the sign-in here at once, then tells the server (best effort: offline, the
   * tokens are simply forgotten). `notice` is shown on the sign-in form; none when the person
   * chose to sign out. Signing out again keeps the first notice, or takes this one.
   * `forgetDevice`: the server refuses this device for good (revoked).
   */
  async signOut(
    notice: string | null = null,
    { forgetDevice = false }: { forgetDevice?: boolean } = {},
  ): Promise<void> {
    if (forgetDevice && this.#snapshot.device) {
      this.#set({ device: null });
      await this.#ports.store.writeDevice(null);
    }
    const session = this.#snapshot.session;
    if (session === null) {
      if (notice !== null && this.#snapshot.notice === null) this.#set({ notice });
      return;
    }
    this.#signOuts++;
    this.#set({ session: null, notice });
    if (session.refreshToken !== null) {
      await this.#ports.locks.exclusive(REFRESH_LOCK, () => this.#clearStoreIf(session));
    }
    const now = this.#ports.clock.now();
    try {
      await this.#ports.api.logout(
        isUnexpired(session, now) ? session.accessToken : null,
        session.refreshToken,
      );
    } catch {
      // Already ended, or offline: either way nothing here can use these tokens any more.
    }
  }

  /**
   * Signs out because a caller saw the sign-in end without the server's words (e.g. a 401 from an
   * upload): one refresh attempt asks the server why, so the person reads "this device was
   * removed by your administrator" rather than a bare "signed out".
   */
  async signOutEnded(): Promise<void> {
    const session = this.#snapshot.session;
    if (session === null) return this.signOut(SIGNED_OUT_MESSAGE);
    let notice = SIGNED_OUT_MESSAGE;
    let forgetDevice = false;
    const held = session.refreshToken;
    if (held !== null) {
      try {
        await this.#ports.locks.exclusive(REFRESH_LOCK, async () => {
          const { session: stored } = await this.#ports.store.read();
          await this.#ports.api.refresh(stored?.refreshToken ?? held);
        });
      } catch (error) {
        if (endsSignIn(error)) {
          notice = error.message;
          forgetDevice = error.code === "device_revoked";
        }
      }
    }
    return this.signOut(notice, { forgetDevice });
  }

  /** Ends the sign-in because the server said so (or it ran out): no logout call is needed. */
  async #end(notice: string, forgetDevice: boolean): Promise<void> {
    await this.#ports.locks.exclusive(REFRESH_LOCK, () =>
      this.#endHoldingLock(notice, forgetDevice),
    );
  }

  async #endHoldingLock(notice: string, forgetDevice: boolean): Promise<void> {
    this.#set({ session: null, notice, ...(forgetDevice ? { device: null } : {}) });
    await this.#ports.store.writeSession(null);
    if (forgetDevice) await this.#ports.store.writeDevice(null);
  }

  /**
   * Clears the stored sign-in unless someone has signed in since: another tab as someone else,
   * or this tab again (the store then holds the session this tab is using).
   */
  async #clearStoreIf(ended: StoredSession): Promise<void> {
    const { session: stored } = await this.#ports.store.read();
    if (stored === null) return;
    const mine = this.#snapshot.session;
    if (mine !== null && stored.refreshToken === mine.refreshToken) return;
    if (stored.user.id === ended.user.id && stored.deviceId === ended.deviceId) {
      await this.#ports.store.writeSession(null);
    }
  }

  #set(change: Partial<SessionSnapshot>): void {
    this.#snapshot = { ...this.#snapshot, ...change };
    for (const listener of this.#listeners) listener(this.#snapshot);
  }
}
