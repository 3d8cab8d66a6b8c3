/**
 * Password authentication for the wire client: MD5 (legacy servers) and SCRAM-SHA-256
 * (RFC 5802 / RFC 7677, without channel binding), on WebCrypto.
 */
import { createHash } from "node:crypto";
import { fromBase64, timingSafeEqual, toBase64 } from "../bytes.ts";

const encoder = new TextEncoder();

/** Production Workers reject PBKDF2 above this (notes/platform-facts.md). */
const MAX_SCRAM_ITERATIONS = 100_000;

/** The answer to AuthenticationMD5Password: "md5" + md5(md5(password + user) + salt). */
export function md5Password(user: string, password: string, salt: Uint8Array): string {
  const inner = createHash("md5").update(password + user).digest("hex");
  return `md5${createHash("md5").update(inner).update(salt).digest("hex")}`;
}

async function hmac(key: Uint8Array, message: string): Promise<Uint8Array> {
  const imported = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", imported, encoder.encode(message)));
}

function attributes(message: string): Map<string, string> {
  return new Map(message.split(",").map((part) => [part.slice(0, 1), part.slice(2)]));
}

/** The error a SCRAM exchange fails with: the server is not who it claims, or speaks nonsense. */
export class ScramError extends Error {
  constructor(message: string) {
    super(`SCRAM-SHA-256: ${message}`);
    this.name = "ScramError";
  }
}

export interface ScramExchange {
  /** The client-first message (GS2 header included), sent with SASLInitialResponse. */
  clientFirst: string;
  /** The client-final message (with the proof) for the server-first message. */
  clientFinal(serverFirst: string): Promise<string>;
  /** Checks the server's signature: a server that does not know the password is refused. */
  verifyServerFinal(serverFinal: string): void;
}

/**
 * One SCRAM-SHA-256 exchange. Postgres ignores the user name in it (the startup message named the
 * role), so it is empty unless given.
 *
 * @example
 * const scram = scramSha256("pencil");
 * send(scram.clientFirst); send(await scram.clientFinal(serverFirst)); scram.verifyServerFinal(serverFinal);
 */
export function scramSha256(password: string, options: { user?: string; nonce?: string } = {}): ScramExchange {
  const nonce = options.nonce ?? toBase64(crypto.getRandomValues(new Uint8Array(18)));
  const user = (options.user ?? "").replaceAll("=", "=3D").replaceAll(",", "=2C");
  const clientFirstBare = `n=${user},r=${nonce}`;
  let expectedSignature: Uint8Array | undefined;
  return {
    clientFirst: `n,,${clientFirstBare}`,
    async clientFinal(serverFirst) {
      const server = attributes(serverFirst);
      const combinedNonce = server.get("r") ?? "";
      const salt = server.get("s") ?? "";
      const iterations = Number(server.get("i"));
      if (!combinedNonce.startsWith(nonce) || combinedNonce.length === nonce.length) {
        throw new ScramError("the server's nonce does not extend the client's");
      }
      if (!salt || !Number.isInteger(iterations) || iterations < 1) throw new ScramError("malformed server-first message");
      if (iterations > MAX_SCRAM_ITERATIONS) {
        throw new ScramError(`the server asks for ${iterations} iterations; Workers allow at most ${MAX_SCRAM_ITERATIONS}`);
      }
      const material = await crypto.subtle.importKey("raw", encoder.encode(password.normalize("NFKC")), "PBKDF2", false, ["deriveBits"]);
      const salted = new Uint8Array(
        await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: fromBase64(salt), iterations }, material, 256),
      );
      const clientKey = await hmac(salted, "Client Key");
      const storedKey = new Uint8Array(await crypto.subtle.digest("SHA-256", clientKey));
      const withoutProof = `c=biws,r=${combinedNonce}`;
      const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
      const clientSignature = await hmac(storedKey, authMessage);
      const proof = clientKey.map((byte, i) => byte ^ (clientSignature[i] ?? 0));
      expectedSignature = await hmac(await hmac(salted, "Server Key"), authMessage);
      return `${withoutProof},p=${toBase64(proof)}`;
    },
    verifyServerFinal(serverFinal) {
      const server = attributes(serverFinal);
      const failure = server.get("e");
      if (failure) throw new ScramError(`the server refused: ${failure}`);
      const signature = server.get("v");
      if (!expectedSignature || !signature || !timingSafeEqual(fromBase64(signature), expectedSignature)) {
        throw new ScramError("the server's signature does not match");
      }
    },
  };
}
