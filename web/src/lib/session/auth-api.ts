// The auth endpoints as the session core's AuthApi, plus enrollment (which signs in too).
import type { Transport } from "../uploader/ports";
import {
  EnrollmentLookup,
  SignInResponse,
  type EnrollmentLookupRequest,
  type EnrollRequest,
} from "./contract";
import { jsonInit, request, requestJson } from "./http";
import type { AuthApi } from "./ports";

/** A refresh holds the cross-tab lock: it must not hang for ever on a dead connection. */
const REFRESH_TIMEOUT_MS = 20_000;

export interface IdentityApi extends AuthApi {
  enroll(body: EnrollRequest): Promise<SignInResponse>;
  /** What the code's clinic asks people to choose (a password or a PIN); a dead code throws. */
  lookupEnrollment(body: EnrollmentLookupRequest): Promise<EnrollmentLookup>;
}

export function createAuthApi(transport: Transport): IdentityApi {
  return {
    signIn: (body) =>
      requestJson(transport, SignInResponse, "/api/auth/login", jsonInit("POST", null, body)),
    refresh: (refreshToken) =>
      requestJson(transport, SignInResponse, "/api/auth/refresh", {
        ...jsonInit("POST", null, { refreshToken }),
        signal: AbortSignal.timeout(REFRESH_TIMEOUT_MS),
      }),
    logout: async (accessToken, refreshToken) => {
      const body = refreshToken === null ? {} : { refreshToken };
      await request(transport, "/api/auth/logout", jsonInit("POST", accessToken, body));
    },
    enroll: (body) =>
      requestJson(transport, SignInResponse, "/api/enroll", jsonInit("POST", null, body)),
    lookupEnrollment: (body) =>
      requestJson(transport, EnrollmentLookup, "/api/enroll/lookup", jsonInit("POST", null, body)),
  };
}
