// The session core's links to the outside world, so it runs in a page, the service worker or Node
// tests alike: where the sign-in is kept, a lock shared by every tab, the auth API and a clock.
import type { SignInRequest, SignInResponse } from "./contract";
import type { KnownDevice, StoredSession } from "./stored";

/** Keeps the sign-in and the known device across app launches. Reads are schema-checked. */
export interface SessionStore {
  read(): Promise<{ session: StoredSession | null; device: KnownDevice | null }>;
  writeSession(session: StoredSession | null): Promise<void>;
  writeDevice(device: KnownDevice | null): Promise<void>;
}

/** An exclusive lock by name, held while `task` runs, shared by every tab and worker of the app. */
export interface LockPort {
  exclusive<T>(name: string, task: () => Promise<T>): Promise<T>;
}

/** The auth endpoints. Failures reject with an ApiError carrying the server's code and message. */
export interface AuthApi {
  signIn(body: SignInRequest): Promise<SignInResponse>;
  refresh(refreshToken: string): Promise<SignInResponse>;
  logout(accessToken: string | null, refreshToken: string | null): Promise<void>;
}

export interface NowClock {
  now(): number;
}
