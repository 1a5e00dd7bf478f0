// Who is signed in, as runes for the screens: a thin shell over the framework-free session core
// (./session), which keeps the tokens in IndexedDB and refreshes them under a cross-tab Web Lock.
// Here: a refresh ahead of need while the app is open, and telling other tabs about sign-in/out.
import { browser } from "$app/environment";
import { DEFAULT_CLINIC_POLICY, UserView, type ClinicPolicy, type LoginResponse } from "$contract";
import { browserSessionKeeper } from "./session/browser-session";
import { deviceName } from "./session/device-name";
import { isUnexpired, refreshDueIn } from "./session/refresh-timing";
import type { SessionKeeper, SessionSnapshot } from "./session/session-keeper";
import type { KnownDevice } from "./session/stored";

/**
 * Who was signed in at the last launch (name and role, never a token), read synchronously so the
 * first screen and route guards know before IndexedDB answers; the store has the last word.
 */
const HINT_KEY = "relaypacs.signed-in";
const CHANNEL = "relaypacs-session";
/** After a background refresh failed (offline, server trouble): try again this much later. */
const RETRY_MS = 30_000;

const EMPTY: SessionSnapshot = { session: null, device: null, notice: null, restored: false };

class AuthState {
  #snapshot = $state.raw<SessionSnapshot>(EMPTY);
  #hint = $state.raw<UserView | null>(readHint());
  readonly #keeper: SessionKeeper | null;
  readonly #channel: BroadcastChannel | null;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    this.#keeper = browser ? browserSessionKeeper() : null;
    this.#channel =
      browser && "BroadcastChannel" in globalThis ? new BroadcastChannel(CHANNEL) : null;
    if (!this.#keeper) return;
    this.#keeper.subscribe((snapshot) => this.#changed(snapshot));
    this.#keeper.restore().catch((error: unknown) => {
      console.error("could not read the sign-in from this device", error);
      this.#snapshot = { ...this.#snapshot, restored: true };
      this.#hint = null;
    });
    // Another tab signed in or out: read the store again.
    this.#channel?.addEventListener("message", () => void this.#keeper?.reload());
    // Timers do not run while a phone sleeps: check again when the app comes back.
    addEventListener("online", () => this.#refreshSoon());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.#refreshSoon();
    });
  }

  /** The signed-in person (id, name, email, role, clinic), or null. */
  get user(): UserView | null {
    return this.#snapshot.restored ? (this.#snapshot.session?.user ?? null) : this.#hint;
  }

  /** The clinic's queue policy from the last sign-in or refresh; the defaults when signed out. */
  get clinicPolicy(): ClinicPolicy {
    return this.#snapshot.session?.clinicPolicy ?? DEFAULT_CLINIC_POLICY;
  }

  get isAdmin(): boolean {
    return this.user?.role === "admin";
  }

  /** The access token, or null when signed out or it has run out (see `freshAccessToken`). */
  get accessToken(): string | null {
    const session = this.#snapshot.session;
    return session && isUnexpired(session, Date.now()) ? session.accessToken : null;
  }

  /** Signed in on this device, even while the access token waits for its refresh. */
  get signedIn(): boolean {
    if (!this.#snapshot.restored) return this.#hint !== null;
    const session = this.#snapshot.session;
    return session !== null && (session.refreshToken !== null || isUnexpired(session, Date.now()));
  }

  /** False until this device's stored sign-in has been read. */
  get restored(): boolean {
    return this.#snapshot.restored;
  }

  /** The device this browser is enrolled as: its person signs in with just their password. */
  get knownDevice(): KnownDevice | null {
    return this.#snapshot.device;
  }

  /** Why the person was signed out, in the server's words; null if they chose to. */
  get notice(): string | null {
    return this.#snapshot.notice;
  }

  /**
   * An access token good for the next request (refreshed first when within a minute of running
   * out). Null when signed out: `notice` says why. Rejects with an ApiError when offline and the
   * token has run out.
   */
  async freshAccessToken(): Promise<string | null> {
    if (!this.#keeper) return null;
    const wasSignedIn = this.#snapshot.session !== null;
    const token = await this.#keeper.freshAccessToken();
    if (token === null && wasSignedIn) this.#channel?.postMessage("changed");
    return token;
  }

  /** Takes the session that sign-in or enrollment returned, and keeps it on this device. */
  signIn(session: LoginResponse): void {
    this.#keeper
      ?.accept(session)
      .then(() => this.#channel?.postMessage("changed"))
      .catch((error: unknown) => console.error("could not keep the sign-in", error));
  }

  /** Signs in with email and password; rejects with an ApiError whose message to show. */
  async signInWithEmail(email: string, password: string): Promise<void> {
    await this.#keeper?.signInWithEmail(email, password, thisDeviceName());
    this.#channel?.postMessage("changed");
  }

  /** Signs the known device's person in with their password. */
  async signInWithDevice(password: string): Promise<void> {
    await this.#keeper?.signInWithDevice(password);
    this.#channel?.postMessage("changed");
  }

  /**
   * Signs out because the sign-in has ended (a request was refused). With `notice`, the server's
   * words to show on the sign-in form; without, one refresh attempt asks the server why.
   * `forgetDevice`: the server removed this device, so its id is no use for signing in again.
   */
  signOut(notice?: string, options?: { forgetDevice?: boolean }): void {
    const ending =
      notice === undefined ? this.#keeper?.signOutEnded() : this.#keeper?.signOut(notice, options);
    this.#announce(ending);
  }

  /** The person chose to sign out: no explanation to show. */
  signOutByChoice(): void {
    this.#announce(this.#keeper?.signOut(null));
  }

  #announce(change: Promise<void> | undefined): void {
    change
      ?.then(() => this.#channel?.postMessage("changed"))
      .catch((error: unknown) => console.error("could not sign out cleanly", error));
  }

  #changed(snapshot: SessionSnapshot): void {
    this.#snapshot = snapshot;
    if (!snapshot.restored) return;
    this.#hint = snapshot.session?.user ?? null;
    writeHint(this.#hint);
    clearTimeout(this.#timer);
    const session = snapshot.session;
    if (session?.refreshToken) {
      this.#timer = setTimeout(() => this.#refreshSoon(), refreshDueIn(session, Date.now()));
    }
  }

  #refreshSoon(): void {
    if (!this.#snapshot.session?.refreshToken) return;
    this.freshAccessToken().catch(() => {
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => this.#refreshSoon(), RETRY_MS);
    });
  }
}

function thisDeviceName(): string {
  return deviceName(navigator.userAgent, navigator.maxTouchPoints);
}

function readHint(): UserView | null {
  if (!browser) return null;
  try {
    const parsed = UserView.safeParse(JSON.parse(localStorage.getItem(HINT_KEY) ?? "null"));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function writeHint(user: UserView | null): void {
  try {
    if (user) localStorage.setItem(HINT_KEY, JSON.stringify(user));
    else localStorage.removeItem(HINT_KEY);
  } catch {
    // Private mode or storage full: the first screen just waits for IndexedDB.
  }
}

export const auth = new AuthState();
