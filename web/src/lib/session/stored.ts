// What this device keeps of a sign-in, and the schemas it is read back through (records in
// IndexedDB are a trust boundary too). No patient data: tokens, ids and the signed-in person.
import { z } from "zod";
import {
  ClinicPolicy,
  DEFAULT_CLINIC_POLICY,
  DeviceId,
  SignInResponse,
  UserView,
  type LoginResponse,
} from "./contract";

/**
 * A sign-in as kept on this device. `localExpiresAt` is when the access token runs out by this
 * device's own clock (see `localExpiry`). `refreshToken` is null for a session that came without
 * one (the spine's plain LoginResponse): it lives in memory only and ends with its access token.
 */
export const StoredSession = z.object({
  accessToken: z.string().min(1),
  expiresAt: z.number(),
  localExpiresAt: z.number(),
  refreshToken: z.string().min(1).nullable(),
  refreshExpiresAt: z.number().nullable(),
  deviceId: DeviceId.nullable(),
  user: UserView,
  /** The clinic's queue policy as of the last sign-in or refresh (older records: the defaults). */
  clinicPolicy: ClinicPolicy.default(DEFAULT_CLINIC_POLICY),
});
export type StoredSession = z.infer<typeof StoredSession>;

/**
 * The device this browser enrolled or signed in as, kept after sign-out so the person can sign in
 * again with just their password (people enrolled by QR code may have no email).
 */
export const KnownDevice = z.object({
  deviceId: DeviceId,
  userName: z.string(),
  email: z.string(),
});
export type KnownDevice = z.infer<typeof KnownDevice>;

const Times = z.object({ iat: z.number(), exp: z.number() });

/**
 * When the access token runs out by this device's clock: the token's lifetime (exp − iat, from
 * its payload) counted from when it arrived. A phone whose clock is minutes off would otherwise
 * use a token the server calls expired, or refresh one that still had minutes left.
 */
export function localExpiry(accessToken: string, expiresAt: number, receivedAt: number): number {
  const payload = accessToken.split(".")[1];
  if (payload !== undefined) {
    try {
      const base64 = payload.replace(/-/g, "+").replace(/_/g, "/");
      const times = Times.safeParse(JSON.parse(atob(base64)));
      if (times.success && times.data.exp > times.data.iat) {
        return receivedAt + (times.data.exp - times.data.iat) * 1000;
      }
    } catch {
      // Not a JWT we can read: trust the server's expiresAt.
    }
  }
  return expiresAt < 1e12 ? expiresAt * 1000 : expiresAt;
}

/** The session to keep from what sign-in, refresh or enrollment returned. */
export function toStored(
  response: SignInResponse | LoginResponse,
  receivedAt: number,
): StoredSession {
  const full = SignInResponse.safeParse(response);
  return {
    accessToken: response.accessToken,
    expiresAt: response.expiresAt,
    localExpiresAt: localExpiry(response.accessToken, response.expiresAt, receivedAt),
    refreshToken: full.success ? full.data.refreshToken : null,
    refreshExpiresAt: full.success ? full.data.refreshExpiresAt : null,
    deviceId: full.success ? full.data.deviceId : null,
    user: response.user,
    clinicPolicy: full.success ? full.data.clinicPolicy : DEFAULT_CLINIC_POLICY,
  };
}

export function knownDeviceOf(session: StoredSession): KnownDevice | null {
  return session.deviceId === null
    ? null
    : { deviceId: session.deviceId, userName: session.user.name, email: session.user.email };
}
