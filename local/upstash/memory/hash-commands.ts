/** Hash commands of the in-memory Redis. */
import { RedisError } from "../backend.ts";
import { OK, formatFloat, parseFloat64, parseInteger, type CommandTable } from "./command.ts";
import type { Keyspace } from "./keyspace.ts";

function hset(keyspace: Keyspace, key: string, pairs: string[], command: string): number {
  if (pairs.length === 0 || pairs.length % 2 !== 0) throw new RedisError(`ERR wrong number of arguments for '${command}' command`);
  const hash = keyspace.write(key, "hash");
  let added = 0;
  for (let i = 0; i < pairs.length; i += 2) {
    const field = pairs[i] ?? "";
    if (!hash.has(field)) added++;
    hash.set(field, pairs[i + 1] ?? "");
  }
  return added;
}

export const hashCommands: CommandTable = {
  HSET: { arity: -4, run: (ks, [key = "", ...pairs]) => hset(ks, key, pairs, "hset") },
  HMSET: { arity: -4, run: (ks, [key = "", ...pairs]) => (hset(ks, key, pairs, "hmset"), OK) },
  HSETNX: {
    arity: 4,
    run: (ks, [key = "", field = "", value = ""]) => (ks.read(key, "hash")?.has(field) ? 0 : hset(ks, key, [field, value], "hsetnx")),
  },
  HGET: { arity: 3, run: (ks, [key = "", field = ""]) => ks.read(key, "hash")?.get(field) ?? null },
  HMGET: {
    arity: -3,
    run: (ks, [key = "", ...fields]) => {
      const hash = ks.read(key, "hash");
      return fields.map((field) => hash?.get(field) ?? null);
    },
  },
  HGETALL: { arity: 2, run: (ks, [key = ""]) => [...(ks.read(key, "hash") ?? new Map<string, string>())].flat() },
  HKEYS: { arity: 2, run: (ks, [key = ""]) => [...(ks.read(key, "hash")?.keys() ?? [])] },
  HVALS: { arity: 2, run: (ks, [key = ""]) => [...(ks.read(key, "hash")?.values() ?? [])] },
  HLEN: { arity: 2, run: (ks, [key = ""]) => ks.read(key, "hash")?.size ?? 0 },
  HEXISTS: { arity: 3, run: (ks, [key = "", field = ""]) => (ks.read(key, "hash")?.has(field) ? 1 : 0) },
  HDEL: {
    arity: -3,
    run: (ks, [key = "", ...fields]) => {
      const hash = ks.read(key, "hash");
      if (!hash) return 0;
      const removed = fields.filter((field) => hash.delete(field)).length;
      ks.dropIfEmpty(key);
      return removed;
    },
  },
  HINCRBY: {
    arity: 4,
    run: (ks, [key = "", field = "", delta = ""]) => {
      const increment = parseInteger(delta);
      const hash = ks.write(key, "hash");
      const current = hash.get(field);
      const value = (current === undefined ? 0 : parseInteger(current, "ERR hash value is not an integer")) + increment;
      hash.set(field, String(value));
      return value;
    },
  },
  HINCRBYFLOAT: {
    arity: 4,
    run: (ks, [key = "", field = "", delta = ""]) => {
      const increment = parseFloat64(delta);
      const hash = ks.write(key, "hash");
      const current = hash.get(field);
      const value = formatFloat((current === undefined ? 0 : parseFloat64(current)) + increment);
      hash.set(field, value);
      return value;
    },
  },
};
