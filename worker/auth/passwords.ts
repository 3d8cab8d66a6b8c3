/**
 * Password hashing. Production Workers cap PBKDF2 at 100,000 iterations, below today's OWASP
 * advice for PBKDF2-SHA256, so the password is first keyed with a server-side pepper (HMAC-SHA256
 * with PASSWORD_PEPPER, a secret that never sits in the database): a stolen table alone cannot be
 * brute-forced. Stored format, self-describing so parameters can rise later:
 *   pbkdf2-sha256$<iterations>$<salt, base64>$<hash, base64>
 * Legacy bcrypt hashes from the monolith verify too; both are rehashed at the next login.
 */
import bcryptjs from "bcryptjs";
import type { Config } from "../config.ts";
import { COMMON_PASSWORDS_FRONT_CODED } from "./common-passwords.data.ts";
import { fromBase64, timingSafeEqual, toBase64 } from "../platform/bytes.ts";

const ALGORITHM = "pbkdf2-sha256";
const SALT_BYTES = 16;
const HASH_BYTES = 32;
/** Production Workers reject more (docs/ARCHITECTURE.md, "Platform facts"). */
export const MAX_PBKDF2_ITERATIONS = 100_000;

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

const encoder = new TextEncoder();
/** Imported keys, never pending promises: a Worker must not await another request's promise. */
const pepperKeys = new Map<string, CryptoKey>();

async function pepperKey(pepper: string): Promise<CryptoKey> {
  let key = pepperKeys.get(pepper);
  if (!key) {
    key = await crypto.subtle.importKey("raw", encoder.encode(pepper), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    pepperKeys.set(pepper, key);
  }
  return key;
}

async function derive(config: Config, password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  if (iterations > MAX_PBKDF2_ITERATIONS) throw new Error(`PBKDF2 iterations above ${MAX_PBKDF2_ITERATIONS}`);
  const peppered = await crypto.subtle.sign("HMAC", await pepperKey(config.PASSWORD_PEPPER), encoder.encode(password.normalize("NFC")));
  const material = await crypto.subtle.importKey("raw", peppered, "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, material, HASH_BYTES * 8);
  return new Uint8Array(bits);
}

interface Pbkdf2Hash {
  iterations: number;
  salt: Uint8Array;
  hash: Uint8Array;
}

/** The parameters of a stored PBKDF2 hash, or `undefined` if it is not one. */
export function parsePbkdf2(stored: string): Pbkdf2Hash | undefined {
  const [algorithm, iterations, salt, hash, ...rest] = stored.split("$");
  if (algorithm !== ALGORITHM || rest.length > 0 || !iterations || !salt || !hash || !/^\d{1,7}$/.test(iterations)) return undefined;
  const count = Number(iterations);
  if (count < 1 || count > MAX_PBKDF2_ITERATIONS) return undefined;
  try {
    return { iterations: count, salt: fromBase64(salt), hash: fromBase64(hash) };
  } catch {
    return undefined;
  }
}

export async function hashPassword(config: Config, password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const iterations = config.PASSWORD_PBKDF2_ITERATIONS;
  const hash = await derive(config, password, salt, iterations);
  return `${ALGORITHM}$${iterations}$${toBase64(salt)}$${toBase64(hash)}`;
}

export interface Verification {
  ok: boolean;
  /** The stored hash uses an older algorithm or parameters: store `hashPassword(...)` instead. */
  needsRehash: boolean;
}

const BCRYPT_HASH = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;

/** A legacy bcrypt hash (`$2a$`, `$2b$`, `$2y$`) from the monolith's users table: verified, never made. */
export function isBcryptHash(stored: string): boolean {
  return BCRYPT_HASH.test(stored);
}

export async function verifyPassword(config: Config, password: string, stored: string): Promise<Verification> {
  const parsed = parsePbkdf2(stored);
  if (parsed) {
    const hash = await derive(config, password, parsed.salt, parsed.iterations);
    const ok = timingSafeEqual(hash, parsed.hash);
    return { ok, needsRehash: ok && (parsed.iterations !== config.PASSWORD_PBKDF2_ITERATIONS || parsed.salt.length < SALT_BYTES) };
  }
  if (isBcryptHash(stored)) {
    const ok = await bcryptjs.compare(password, stored);
    return { ok, needsRehash: ok };
  }
  return { ok: false, needsRehash: false };
}

/** The work of one verification, for an unknown email, so it answers in the time a wrong password does. */
export async function burnVerificationWork(config: Config, password: string): Promise<void> {
  await derive(config, password, crypto.getRandomValues(new Uint8Array(SALT_BYTES)), config.PASSWORD_PBKDF2_ITERATIONS);
}

let commonPasswords: Set<string> | undefined;

function decodeCommonPasswords(): Set<string> {
  const set = new Set<string>();
  let previous = "";
  for (const entry of COMMON_PASSWORDS_FRONT_CODED.match(/[A-Z][^A-Z]*/g) ?? []) {
    previous = previous.slice(0, entry.charCodeAt(0) - 65) + entry.slice(1);
    set.add(previous);
  }
  return set;
}

/** True for passwords on the top-10,000 list (case-insensitive). */
export function isCommonPassword(password: string): boolean {
  commonPasswords ??= decodeCommonPasswords();
  return commonPasswords.has(password.normalize("NFKC").toLowerCase());
}
