// Signed tokens (jose, HS256). Access tokens let a signed-in user act (~15 min); upload tokens are
// bound to one upload session through their audience, so a leaked one cannot touch another session.
import { errors, jwtVerify, SignJWT } from "jose";
import { z } from "zod";
import { Role } from "../contract";
import { AppError } from "../errors";

const ISSUER = "relaypacs";
const API_AUDIENCE = "relaypacs:api";
export const ACCESS_TOKEN_SECONDS = 15 * 60;
export const UPLOAD_TOKEN_SECONDS = 60 * 60;

export const uploadAudience = (sessionId: string) => `relaypacs:upload:${sessionId}`;

const Claims = z.object({ sub: z.string(), clinic: z.string(), role: Role, exp: z.number() });
export type Principal = z.infer<typeof Claims>;

function keyFrom(secret: string | undefined): Uint8Array {
  if (!secret || secret.length < 32) {
    throw new AppError(
      "internal",
      "The server is not configured yet (missing signing key). Ask your administrator.",
    );
  }
  return new TextEncoder().encode(secret);
}

async function sign(
  secret: string | undefined,
  principal: Omit<Principal, "exp">,
  audience: string,
  seconds: number,
  now: number,
) {
  const exp = Math.floor(now / 1000) + seconds;
  const token = await new SignJWT({ clinic: principal.clinic, role: principal.role })
    .setProtectedHeader({ alg: "HS256" })
    .setIssuer(ISSUER)
    .setAudience(audience)
    .setSubject(principal.sub)
    .setIssuedAt(Math.floor(now / 1000))
    .setExpirationTime(exp)
    .sign(keyFrom(secret));
  return { token, expiresAt: exp * 1000 };
}

export const signAccessToken = (
  secret: string | undefined,
  p: Omit<Principal, "exp">,
  now = Date.now(),
) => sign(secret, p, API_AUDIENCE, ACCESS_TOKEN_SECONDS, now);

export const signUploadToken = (
  secret: string | undefined,
  p: Omit<Principal, "exp">,
  sessionId: string,
  now = Date.now(),
) => sign(secret, p, uploadAudience(sessionId), UPLOAD_TOKEN_SECONDS, now);

async function verify(secret: string | undefined, token: string, audience: string) {
  try {
    const { payload } = await jwtVerify(token, keyFrom(secret), {
      issuer: ISSUER,
      audience,
      algorithms: ["HS256"],
    });
    return Claims.parse(payload);
  } catch (cause) {
    if (cause instanceof AppError) throw cause;
    if (cause instanceof errors.JWTExpired) {
      throw new AppError("token_expired", "Your sign-in has expired. Sign in again to continue.", {
        cause,
      });
    }
    throw new AppError("unauthorized", "You are not signed in, or your sign-in is not valid.", {
      cause,
    });
  }
}

export const verifyAccessToken = (secret: string | undefined, token: string) =>
  verify(secret, token, API_AUDIENCE);

export const verifyUploadToken = (secret: string | undefined, token: string, sessionId: string) =>
  verify(secret, token, uploadAudience(sessionId));
