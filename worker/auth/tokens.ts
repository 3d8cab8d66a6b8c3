/**
 * Access tokens (short-lived HS256 JWTs) and refresh-token secrets. Verification pins the
 * algorithm and picks the key by `kid`: the current key signs, the previous one still verifies,
 * so a key rotation logs nobody out.
 */
import { errors, jwtVerify, SignJWT, type JWTHeaderParameters } from "jose";
import type { Config } from "../config.ts";
import type { Principal } from "../context.ts";
import { toBase64Url } from "../platform/bytes.ts";
import { newId } from "../platform/ids.ts";

const ALGORITHM = "HS256";
const encoder = new TextEncoder();

export interface AccessToken {
  token: string;
  expiresAt: Date;
}

export async function signAccessToken(config: Config, principal: Principal, now = Date.now()): Promise<AccessToken> {
  const issuedAt = Math.floor(now / 1000);
  const expiresAt = issuedAt + config.ACCESS_TOKEN_TTL_SECONDS;
  const token = await new SignJWT({ role: principal.role })
    .setProtectedHeader({ alg: ALGORITHM, typ: "JWT", kid: config.JWT_KEY_ID })
    .setIssuer(config.JWT_ISSUER)
    .setAudience(config.JWT_AUDIENCE)
    .setSubject(principal.userId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .setJti(newId(now))
    .sign(encoder.encode(config.JWT_SECRET));
  return { token, expiresAt: new Date(expiresAt * 1000) };
}

/** The secret for a token's `kid`: the current key, or the previous one during a rotation. */
function keyFor(config: Config, header: JWTHeaderParameters): Uint8Array {
  if (header.kid === config.JWT_KEY_ID) return encoder.encode(config.JWT_SECRET);
  if (config.JWT_PREVIOUS_SECRET && header.kid === config.JWT_PREVIOUS_KEY_ID) {
    return encoder.encode(config.JWT_PREVIOUS_SECRET);
  }
  throw new errors.JWKSNoMatchingKey();
}

/** The principal of a valid access token, or `undefined` for anything else (never throws). */
export async function verifyAccessToken(config: Config, token: string): Promise<Principal | undefined> {
  try {
    const { payload } = await jwtVerify(token, (header) => keyFor(config, header), {
      algorithms: [ALGORITHM],
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      requiredClaims: ["sub", "exp", "iat", "jti"],
    });
    const role = payload.role;
    if (typeof payload.sub !== "string" || (role !== "user" && role !== "admin")) return undefined;
    return { userId: payload.sub, role };
  } catch {
    return undefined;
  }
}

/** A refresh token: 256 random bits, base64url. Only its SHA-256 is stored. */
export function newRefreshToken(): string {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return toBase64Url(bytes);
}

export async function hashRefreshToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(token));
  return toBase64Url(new Uint8Array(digest));
}
