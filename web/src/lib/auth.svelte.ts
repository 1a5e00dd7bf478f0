// Who is signed in. For this spine the session lives in sessionStorage (gone when the tab closes);
// a refresh-token flow replaces it later. What is read back is parsed with the contract's schema.
import { LoginResponse } from "$contract";

const STORAGE_KEY = "relaypacs.session";

class AuthState {
  #session = $state<LoginResponse | null>(load());

  get user() {
    return this.#session?.user ?? null;
  }

  /** The access token, or null when signed out or the token has run out. */
  get accessToken(): string | null {
    const session = this.#session;
    return session && expiresAtMs(session.expiresAt) > Date.now() ? session.accessToken : null;
  }

  get signedIn(): boolean {
    return this.accessToken !== null;
  }

  signIn(session: LoginResponse): void {
    this.#session = session;
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  }

  signOut(): void {
    this.#session = null;
    sessionStorage.removeItem(STORAGE_KEY);
  }
}

function load(): LoginResponse | null {
  if (typeof sessionStorage === "undefined") return null;
  const raw = sessionStorage.getItem(STORAGE_KEY);
  if (raw === null) return null;
  try {
    const parsed = LoginResponse.safeParse(JSON.parse(raw));
    if (parsed.success) return parsed.data;
  } catch {
    // Not JSON: fall through and forget it.
  }
  sessionStorage.removeItem(STORAGE_KEY);
  return null;
}

/** The contract does not say whether expiresAt is in seconds or milliseconds; accept both. */
function expiresAtMs(expiresAt: number): number {
  return expiresAt < 1e12 ? expiresAt * 1000 : expiresAt;
}

export const auth = new AuthState();
