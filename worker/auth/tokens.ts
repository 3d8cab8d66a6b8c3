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

/** A pad only a holder of `parent` can make: HMAC-SHA-512 keyed with the parent token. */
async function successorPad(parent: string): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(parent), { name: "HMAC", hash: "SHA-512" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode("assay refresh successor")));
}

const xor = (bytes: Uint8Array, pad: Uint8Array) => bytes.map((b, i) => b ^ (pad[i] ?? 0));

/**
 * The successor of a refresh token, sealed for storage beside it: XORed with a pad derived from the
 * parent token (used once, since a token has one successor). The database alone cannot read it
 * (it keeps only the parent's hash); whoever presents the parent again inside the grace window can,
 * and gets the same successor back instead of a second live token.
 */
export async function sealSuccessor(parent: string, successor: string): Promise<string> {
  const sealed = xor(encoder.encode(successor), await successorPad(parent));
  return Array.from(sealed, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The successor sealed by `sealSuccessor`, or `undefined` if `seal` is not one. */
export async function unsealSuccessor(parent: string, seal: string): Promise<string | undefined> {
  if (!/^(?:[0-9a-f]{2}){1,64}$/.test(seal)) return undefined;
  const bytes = Uint8Array.from(seal.match(/../g) ?? [], (h) => parseInt(h, 16));
  return new TextDecoder().decode(xor(bytes, await successorPad(parent)));
}
