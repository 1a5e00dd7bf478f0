// Signed tokens (jose, HS256). Access tokens let a signed-in user act (~15 min); upload tokens are
// bound to one upload session through their audience, so a leaked one cannot touch another session.
// Both carry `sid`, the sign-in (refresh-token family) they come from: the middleware checks it
// against D1 on every request, so signing out, revoking a device or disabling a user ends them at
// once (docs/design.md, "Revocation takes effect at once"). A token without `sid` is refused.
import { errors, jwtVerify, SignJWT } from "jose";
import { z } from "zod";
import { Role } from "../contract";
import { AppError } from "../errors";

const ISSUER = "relaypacs";
const API_AUDIENCE = "relaypacs:api";
export const ACCESS_TOKEN_SECONDS = 15 * 60;
export const UPLOAD_TOKEN_SECONDS = 60 * 60;

export const uploadAudience = (sessionId: string) => `relaypacs:upload:${sessionId}`;

const Claims = z.object({
  sub: z.string(),
  clinic: z.string(),
  role: Role,
  sid: z.string().min(1),
  exp: z.number(),
});
export type Claims = z.infer<typeof Claims>;

/** Who is acting: the token's claims as checked against D1, plus the device they signed in on. */
export interface Principal extends Claims {
  device: string;
}

/** What a token is signed for. `sid` is optional only so tests can mint tokens that must fail. */
export interface TokenSubject {
  sub: string;
  clinic: string;
  role: Claims["role"];
  sid?: string;
}

export const MIN_SECRET_LENGTH = 32;

export function missingSecret(): AppError {
  return new AppError(
    "not_configured",
    "RelayPACS is not set up yet: its signing key is missing. Administrator: set the JWT_SECRET secret (at least 32 random characters) with `wrangler secret put JWT_SECRET`.",
  );
}

function keyFrom(secret: string | undefined): Uint8Array {
  if (!secret || secret.length < MIN_SECRET_LENGTH) throw missingSecret();
  return new TextEncoder().encode(secret);
}

async function sign(
  secret: string | undefined,
  principal: TokenSubject,
  audience: string,
  seconds: number,
  now: number,
) {
  const exp = Math.floor(now / 1000) + seconds;
  const claims = { clinic: principal.clinic, role: principal.role, sid: principal.sid };
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setIssuer(ISSUER)
    .setAudience(audience)
    .setSubject(principal.sub)
    .setIssuedAt(Math.floor(now / 1000))
    .setExpirationTime(exp)
    .sign(keyFrom(secret));
  return { token, expiresAt: exp * 1000 };
}

export const signAccessToken = (secret: string | undefined, p: TokenSubject, now = Date.now()) =>
  sign(secret, p, API_AUDIENCE, ACCESS_TOKEN_SECONDS, now);

export const signUploadToken = (
  secret: string | undefined,
  p: TokenSubject,
  sessionId: string,
  now = Date.now(),
) => sign(secret, p, uploadAudience(sessionId), UPLOAD_TOKEN_SECONDS, now);

async function verify(
  secret: string | undefined,
  token: string,
  audience: string,
): Promise<Claims> {
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
    throw new AppError(
      "unauthorized",
      "You are not signed in, or your sign-in is not valid. Sign in again.",
      {
        cause,
      },
    );
  }
}

export const verifyAccessToken = (secret: string | undefined, token: string) =>
  verify(secret, token, API_AUDIENCE);

export const verifyUploadToken = (secret: string | undefined, token: string, sessionId: string) =>
  verify(secret, token, uploadAudience(sessionId));
