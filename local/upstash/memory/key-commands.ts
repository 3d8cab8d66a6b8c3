/** Keyspace and server commands of the in-memory Redis: expiry, iteration, flushing, PING. */
import { RedisError } from "../backend.ts";
import { OK, SYNTAX_ERROR, globToRegExp, parseInteger, type CommandTable, type MemoryReply } from "./command.ts";
import type { Keyspace } from "./keyspace.ts";

/** EXPIRE family: `toEpochMs` turns the argument into an absolute time; NX/XX/GT/LT as in Redis 7. */
function expire(toEpochMs: (amount: number) => number) {
  return (keyspace: Keyspace, [key = "", amount = "", ...options]: string[]): MemoryReply => {
    const expiresAt = toEpochMs(parseInteger(amount));
    if (keyspace.entry(key) === undefined) return 0;
    const current = keyspace.expiresAt(key);
    for (const option of options.map((o) => o.toUpperCase())) {
      const allowed =
        option === "NX" ? current === undefined
        : option === "XX" ? current !== undefined
        : option === "GT" ? current !== undefined && expiresAt > current
        : option === "LT" ? current === undefined || expiresAt < current
        : undefined;
      if (allowed === undefined) throw new RedisError(`ERR Unsupported option ${option}`);
      if (!allowed) return 0;
    }
    keyspace.setExpiry(key, expiresAt);
    return 1;
  };
}

function remaining(keyspace: Keyspace, key: string, unitMs: number): number {
  if (keyspace.entry(key) === undefined) return -2;
  const expiresAt = keyspace.expiresAt(key);
  return expiresAt === undefined ? -1 : Math.round((expiresAt - Date.now()) / unitMs);
}

/** SCAN returns every match at once with cursor 0: allowed by Redis, and safe while keys are deleted mid-scan. */
function scan(keyspace: Keyspace, [, ...options]: string[]): MemoryReply {
  let pattern: RegExp | undefined;
  let type: string | undefined;
  for (let i = 0; i < options.length; i += 2) {
    const option = (options[i] ?? "").toUpperCase();
    const value = options[i + 1];
    if (value === undefined) throw new RedisError(SYNTAX_ERROR);
    if (option === "MATCH") pattern = globToRegExp(value);
    else if (option === "TYPE") type = value.toLowerCase();
    else if (option === "COUNT") parseInteger(value);
    else throw new RedisError(SYNTAX_ERROR);
  }
  const keys = keyspace.keys().filter((key) => (!pattern || pattern.test(key)) && (!type || keyspace.entry(key)?.type === type));
  return ["0", keys];
}

export const keyCommands: CommandTable = {
  DEL: { arity: -2, run: (ks, keys) => keys.filter((key) => ks.delete(key)).length },
  UNLINK: { arity: -2, run: (ks, keys) => keys.filter((key) => ks.delete(key)).length },
  EXISTS: { arity: -2, run: (ks, keys) => keys.filter((key) => ks.entry(key) !== undefined).length },
  TYPE: { arity: 2, run: (ks, [key = ""]) => ({ status: ks.entry(key)?.type ?? "none" }) },
  EXPIRE: { arity: -3, run: expire((seconds) => Date.now() + seconds * 1000) },
  PEXPIRE: { arity: -3, run: expire((ms) => Date.now() + ms) },
  EXPIREAT: { arity: -3, run: expire((seconds) => seconds * 1000) },
  PEXPIREAT: { arity: -3, run: expire((ms) => ms) },
  TTL: { arity: 2, run: (ks, [key = ""]) => remaining(ks, key, 1000) },
  PTTL: { arity: 2, run: (ks, [key = ""]) => remaining(ks, key, 1) },
  PERSIST: {
    arity: 2,
    run: (ks, [key = ""]) => (ks.expiresAt(key) === undefined ? 0 : (ks.setExpiry(key, undefined), 1)),
  },
  RENAME: {
    arity: 3,
    run: (ks, [from = "", to = ""]) => {
      ks.rename(from, to);
      return OK;
    },
  },
  KEYS: {
    arity: 2,
    run: (ks, [pattern = ""]) => {
      const regexp = globToRegExp(pattern);
      return ks.keys().filter((key) => regexp.test(key));
    },
  },
  SCAN: { arity: -2, run: scan },
  DBSIZE: { arity: 1, run: (ks) => ks.size() },
  FLUSHDB: { arity: -1, run: (ks) => (ks.flush(), OK) },
  FLUSHALL: { arity: -1, run: (ks) => (ks.flush(), OK) },
  PING: { arity: -1, run: (_ks, [message]) => message ?? { status: "PONG" } },
  ECHO: { arity: 2, run: (_ks, [message = ""]) => message },
  TIME: {
    arity: 1,
    run: () => {
      const micros = BigInt(Date.now()) * 1000n;
      return [String(micros / 1_000_000n), String(micros % 1_000_000n)];
    },
  },
};
