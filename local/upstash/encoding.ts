/**
 * Upstash's JSON replies. With `Upstash-Encoding: base64` (the @upstash/redis default) every
 * string, status replies included, is base64 of its bytes; integers stay numbers, nil is null,
 * arrays are encoded element by element. Errors are never encoded.
 */
import { RedisError, type CommandOutcome, type RedisReply } from "./backend.ts";

export function encodeReply(reply: RedisReply, base64: boolean): unknown {
  if (reply === null || typeof reply === "number") return reply;
  if (Array.isArray(reply)) return reply.map((item) => encodeReply(item, base64));
  const bytes = typeof reply === "string" ? Buffer.from(reply, "utf8") : Buffer.from(reply.buffer, reply.byteOffset, reply.byteLength);
  return base64 ? bytes.toString("base64") : bytes.toString("utf8");
}

/** One entry of a `/pipeline` or `/multi-exec` answer. */
export function encodeOutcome(outcome: CommandOutcome, base64: boolean): { result: unknown } | { error: string } {
  return outcome instanceof RedisError ? { error: outcome.message } : { result: encodeReply(outcome, base64) };
}
