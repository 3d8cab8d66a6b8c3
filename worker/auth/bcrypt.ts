/**
 * Verifies legacy bcrypt hashes (`$2a$`, `$2b$`, `$2y$`) from the monolith's users table, so migrated
 * users log in once and are rehashed. Verify only, never used to hash. Blowfish's initial state is
 * the hexadecimal expansion of pi, computed once per isolate on first use (~70 ms CPU, legacy logins only) instead of
 * shipping 4 KiB of tables; the tests pin it to hashes made by bcryptjs.
 */
import { timingSafeEqual } from "../platform/bytes.ts";

const BCRYPT = /^\$2[aby]\$(\d\d)\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})$/;
const ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const STATE_WORDS = 18 + 4 * 256;
const MAGIC = "OrpheanBeholderScryDoubt";

export function isBcryptHash(stored: string): boolean {
  return BCRYPT.test(stored);
}

export function bcryptCost(stored: string): number | undefined {
  const match = BCRYPT.exec(stored);
  return match ? Number(match[1]) : undefined;
}

let initialState: Int32Array | undefined;

/** The first 1042 32-bit words of pi's fractional part: P-array, then S-boxes 0..3. */
function piWords(): Int32Array {
  if (initialState) return initialState;
  const bits = BigInt(STATE_WORDS * 32 + 64);
  const one = 1n << bits;
  const arctanInverse = (x: bigint): bigint => {
    let power = one / x;
    let sum = power;
    const xx = x * x;
    for (let k = 1n; power !== 0n; k++) {
      power /= xx;
      const term = power / (2n * k + 1n);
      sum = k % 2n === 1n ? sum - term : sum + term;
    }
    return sum;
  };
  const pi = 16n * arctanInverse(5n) - 4n * arctanInverse(239n);
  const fraction = (pi - 3n * one) >> 64n;
  const words = new Int32Array(STATE_WORDS);
  for (let i = 0; i < STATE_WORDS; i++) {
    words[i] = Number((fraction >> BigInt((STATE_WORDS - 1 - i) * 32)) & 0xffffffffn);
  }
  initialState = words;
  return words;
}

function decodeBase64(text: string, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let bits = 0;
  let value = 0;
  let n = 0;
  for (const ch of text) {
    value = (value << 6) | ALPHABET.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (n < length) out[n++] = (value >> bits) & 0xff;
    }
  }
  return out;
}

function encodeBase64(bytes: Uint8Array): string {
  let out = "";
  let value = 0;
  let bits = 0;
  for (const b of bytes) {
    value = ((value << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += ALPHABET[(value >> bits) & 0x3f];
    }
  }
  if (bits > 0) out += ALPHABET[(value << (6 - bits)) & 0x3f];
  return out;
}

/** Blowfish with the Eksblowfish key schedule; `state` is P (0..17) followed by the four S-boxes. */
class Eksblowfish {
  readonly state = new Int32Array(piWords());
  private readonly block = new Int32Array(2);

  private readonly p = this.state.subarray(0, 18);
  private readonly s0 = this.state.subarray(18, 274);
  private readonly s1 = this.state.subarray(274, 530);
  private readonly s2 = this.state.subarray(530, 786);
  private readonly s3 = this.state.subarray(786, 1042);

  encipher(lr: Int32Array, offset: number): void {
    const { p, s0, s1, s2, s3 } = this;
    let l = (lr[offset] ?? 0) ^ (p[0] ?? 0);
    let r = lr[offset + 1] ?? 0;
    for (let i = 1; i <= 16; i += 2) {
      r ^= ((((s0[l >>> 24] ?? 0) + (s1[(l >>> 16) & 0xff] ?? 0)) ^ (s2[(l >>> 8) & 0xff] ?? 0)) + (s3[l & 0xff] ?? 0)) ^ (p[i] ?? 0);
      l ^= ((((s0[r >>> 24] ?? 0) + (s1[(r >>> 16) & 0xff] ?? 0)) ^ (s2[(r >>> 8) & 0xff] ?? 0)) + (s3[r & 0xff] ?? 0)) ^ (p[i + 1] ?? 0);
    }
    lr[offset] = r ^ (p[17] ?? 0);
    lr[offset + 1] = l;
  }

  /** Mixes `key` into P, then re-encrypts the whole state, XOR-ing `salt` in when given. */
  expand(key: Uint8Array, salt?: Uint8Array): void {
    const s = this.state;
    const keyWord = streamOf(key);
    for (let i = 0; i < 18; i++) s[i] = (s[i] ?? 0) ^ keyWord();
    const saltWord = salt ? streamOf(salt) : () => 0;
    const lr = this.block;
    lr.fill(0);
    for (let i = 0; i < STATE_WORDS; i += 2) {
      lr[0] = (lr[0] ?? 0) ^ saltWord();
      lr[1] = (lr[1] ?? 0) ^ saltWord();
      this.encipher(lr, 0);
      s.set(lr, i);
    }
  }
}

/** Big-endian 32-bit words read cyclically from `bytes`. */
function streamOf(bytes: Uint8Array): () => number {
  let k = 0;
  return () => {
    let word = 0;
    for (let j = 0; j < 4; j++, k = (k + 1) % bytes.length) word = (word << 8) | (bytes[k] ?? 0);
    return word;
  };
}

function bcryptDigest(password: string, cost: number, salt: Uint8Array): string {
  const encoded = new TextEncoder().encode(password);
  const key = new Uint8Array(Math.min(encoded.length + 1, 72));
  key.set(encoded.subarray(0, key.length));
  const cipher = new Eksblowfish();
  cipher.expand(key, salt);
  for (let round = 2 ** cost; round > 0; round--) {
    cipher.expand(key);
    cipher.expand(salt);
  }
  const magic = streamOf(new TextEncoder().encode(MAGIC));
  const text = Int32Array.from({ length: 6 }, magic);
  for (let i = 0; i < 64; i++) for (let j = 0; j < 6; j += 2) cipher.encipher(text, j);
  const bytes = new Uint8Array(24);
  const view = new DataView(bytes.buffer);
  text.forEach((word, i) => view.setUint32(4 * i, word));
  return encodeBase64(bytes.subarray(0, 23));
}

/** True when `password` matches the bcrypt hash `stored` (compared in constant time). */
export function verifyBcrypt(password: string, stored: string): boolean {
  const match = BCRYPT.exec(stored);
  if (!match) return false;
  const cost = Number(match[1]);
  if (cost < 4 || cost > 31) return false;
  const digest = bcryptDigest(password, cost, decodeBase64(match[2] ?? "", 16));
  const encoder = new TextEncoder();
  return timingSafeEqual(encoder.encode(digest), encoder.encode(match[3] ?? ""));
}
