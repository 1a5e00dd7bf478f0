// The auth endpoints as the session core's AuthApi, plus enrollment (which signs in too).
import type { Transport } from "../uploader/ports";
import { SignInResponse, type EnrollRequest } from "./contract";
import { jsonInit, request, requestJson } from "./http";
import type { AuthApi } from "./ports";

/** A refresh holds the cross-tab lock: it must not hang for ever on a dead connection. */
const REFRESH_TIMEOUT_MS = 20_000;

export interface IdentityApi extends AuthApi {
  enroll(body: EnrollRequest): Promise<SignInResponse>;
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
  };
}
