// Test doubles for the session core: a store in memory, and an auth server that rotates refresh
// tokens and, like the real one, ends the whole sign-in when a used refresh token comes back.
import { ApiError } from "../uploader/api";
import type { SignInRequest, SignInResponse } from "./contract";
import type { AuthApi, SessionStore } from "./ports";
import type { KnownDevice, StoredSession } from "./stored";

export function memoryStore(): SessionStore & {
  session: StoredSession | null;
  device: KnownDevice | null;
} {
  const store = {
    session: null as StoredSession | null,
    device: null as KnownDevice | null,
    read: async () => structuredClone({ session: store.session, device: store.device }),
    writeSession: async (session: StoredSession | null) => {
      store.session = structuredClone(session);
    },
    writeDevice: async (device: KnownDevice | null) => {
      store.device = structuredClone(device);
    },
  };
  return store;
}

export const ACCESS_SECONDS = 15 * 60;
export const DEVICE_ID = "0123456789abcdef0123456789abcdef";

/** An unsigned JWT-shaped token whose payload carries iat/exp by the server's clock. */
export function fakeJwt(iatSeconds: number, expSeconds: number, n: number): string {
  const part = (o: object) => btoa(JSON.stringify(o)).replace(/=+$/, "");
  return `${part({ alg: "none" })}.${part({ iat: iatSeconds, exp: expSeconds, n })}.sig`;
}

export class FakeAuthServer implements AuthApi {
  /** The server's clock, in ms (may differ from the device's). */
  serverNow: number;
  refreshCalls = 0;
  logoutCalls: Array<{ accessToken: string | null; refreshToken: string | null }> = [];
  /** Set to make every refresh fail the way the server or network would. */
  failRefresh: ApiError | null = null;
  /** Resolve to let pending refreshes answer (for interleaving tests); null answers at once. */
  gate: Promise<void> | null = null;
  revoked: { code: string; message: string } | null = null;
  readonly #used = new Set<string>();
  #live = new Set<string>();
  #n = 0;

  constructor(serverNow: number) {
    this.serverNow = serverNow;
  }

  async signIn(_body: SignInRequest): Promise<SignInResponse> {
    this.revoked = null;
    return this.#issue();
  }

  async refresh(refreshToken: string): Promise<SignInResponse> {
    this.refreshCalls++;
    if (this.gate) await this.gate;
    if (this.failRefresh) throw this.failRefresh;
    if (this.revoked) throw new ApiError(this.revoked.code, this.revoked.message, 401);
    if (this.#used.has(refreshToken)) {
      this.revoked = {
        code: "session_revoked",
        message: "For your safety you were signed out: an old sign-in key was used a second time.",
      };
      throw new ApiError(this.revoked.code, this.revoked.message, 401);
    }
    if (!this.#live.has(refreshToken)) {
      throw new ApiError("unauthorized", "Your sign-in is not valid any more. Sign in again.", 401);
    }
    this.#live.delete(refreshToken);
    this.#used.add(refreshToken);
    return this.#issue();
  }

  async logout(accessToken: string | null, refreshToken: string | null): Promise<void> {
    this.logoutCalls.push({ accessToken, refreshToken });
    if (refreshToken !== null) this.#live.delete(refreshToken);
  }

  /** Refresh tokens the server would still exchange: sign-ins that have not ended. */
  get liveRefreshTokens(): string[] {
    return [...this.#live];
  }

  /** Whether the server ended the sign-in for reuse. */
  get reuseDetected(): boolean {
    return this.revoked?.code === "session_revoked";
  }

  #issue(): SignInResponse {
    const n = ++this.#n;
    const iat = Math.floor(this.serverNow / 1000);
    const refreshToken = `refresh-${n}`;
    this.#live.add(refreshToken);
    return {
      accessToken: fakeJwt(iat, iat + ACCESS_SECONDS, n),
      expiresAt: (iat + ACCESS_SECONDS) * 1000,
      refreshToken,
      refreshExpiresAt: this.serverNow + 30 * 86_400_000,
      deviceId: DEVICE_ID,
      user: { id: "u1", name: "Amina Diallo", email: "", role: "uploader", clinicId: "c1" },
      clinicPolicy: { encryptQueuedFiles: false, signInSecret: "password" },
    };
  }
}
