/**
 * What real Redis checks before it runs a command and ioredis-mock does not: unknown commands,
 * argument counts, the type of each key (WRONGTYPE), integer and float arguments, the values INCR
 * and HINCRBY add to, SET's options (ioredis-mock ignores a lowercase `ex`). Messages are Redis's own.
 * The arity and key positions come from Redis's command table as `@ioredis/commands` ships it.
 */
import commandTable from "@ioredis/commands/built/commands.json" with { type: "json" };
import { RedisError } from "../backend.ts";

interface CommandSpec {
  arity: number;
  keyStart: number;
  keyStop: number;
  step: number;
}

const COMMANDS = commandTable as Record<string, CommandSpec>;

export type RedisType = "string" | "hash" | "list" | "set" | "zset";

const family = (type: RedisType, names: string): [string, RedisType][] => names.split(" ").map((name) => [name, type]);

/** The type every key of a command must hold (or not exist). SET, MSET and *STORE destinations overwrite instead. */
export const KEY_TYPES: Readonly<Record<string, RedisType>> = Object.fromEntries([
  ...family("string", "GET GETSET GETDEL GETEX APPEND STRLEN INCR INCRBY INCRBYFLOAT DECR DECRBY GETRANGE SETRANGE SUBSTR"),
  ...family("hash", "HSET HSETNX HGET HMSET HMGET HGETALL HDEL HLEN HEXISTS HKEYS HVALS HINCRBY HINCRBYFLOAT HSTRLEN HSCAN HRANDFIELD"),
  ...family("list", "LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LRANGE LLEN LINDEX LSET LREM LTRIM LINSERT LPOS LMOVE RPOPLPUSH"),
  ...family("set", "SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER SINTER SUNION SDIFF SINTERSTORE SUNIONSTORE SDIFFSTORE SMOVE SSCAN"),
  ...family(
    "zset",
    "ZADD ZREM ZSCORE ZMSCORE ZINCRBY ZCARD ZCOUNT ZRANK ZREVRANK ZRANGE ZREVRANGE ZRANGEBYSCORE ZREVRANGEBYSCORE ZREMRANGEBYSCORE ZREMRANGEBYRANK ZPOPMIN ZPOPMAX ZSCAN ZUNIONSTORE ZINTERSTORE",
  ),
]);

/** Commands whose first key is a destination they overwrite, whatever it held. */
export const OVERWRITTEN_FIRST_KEY: ReadonlySet<string> = new Set(["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE", "ZUNIONSTORE", "ZINTERSTORE"]);

/** Argument positions (after the name, from 1) that must be integers. */
const INTEGER_ARGUMENTS: Readonly<Record<string, number[]>> = {
  INCRBY: [2],
  DECRBY: [2],
  EXPIRE: [2],
  PEXPIRE: [2],
  EXPIREAT: [2],
  PEXPIREAT: [2],
  SETEX: [2],
  PSETEX: [2],
  HINCRBY: [3],
  LRANGE: [2, 3],
  LINDEX: [2],
  LSET: [2],
  LTRIM: [2, 3],
  LREM: [2],
  GETRANGE: [2, 3],
  SETRANGE: [2],
  ZREMRANGEBYRANK: [2, 3],
};

/** Argument positions that must be floats. */
const FLOAT_ARGUMENTS: Readonly<Record<string, number[]>> = { INCRBYFLOAT: [2], HINCRBYFLOAT: [3], ZINCRBY: [2] };

const NOT_AN_INTEGER = "ERR value is not an integer or out of range";
const NOT_A_FLOAT = "ERR value is not a valid float";
export const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";

/** What the rules read from the data, synchronously (so a transaction stays atomic). */
export interface Keyspace {
  typeOf(key: string): RedisType | "none";
  get(key: string): string | undefined;
  hget(key: string, field: string): string | undefined;
  exists(key: string): boolean;
}

export function isInteger(text: string): boolean {
  return /^-?\d+$/.test(text) && Number.isSafeInteger(Number(text));
}

function isFloat(text: string): boolean {
  return /^[+-]?inf$/i.test(text) || (text.trim() !== "" && !Number.isNaN(Number(text)));
}

/** The unknown-command and arity errors, as Redis words them; undefined when the command is well-formed. */
export function shapeError(args: string[]): string | undefined {
  const [raw = "", ...rest] = args;
  const spec = commandSpec(raw);
  if (!spec) return `ERR unknown command '${raw}', with args beginning with: ${rest.slice(0, 3).map((arg) => `'${arg}' `).join("")}`;
  if (spec.arity > 0 ? args.length !== spec.arity : args.length < -spec.arity) {
    return `ERR wrong number of arguments for '${raw.toLowerCase()}' command`;
  }
  return undefined;
}

/** Arity and key positions of a command, from Redis's command table. */
export function commandSpec(name: string): CommandSpec | undefined {
  return COMMANDS[name.toLowerCase()];
}

/** Key positions in `args` (the name at 0). */
export function keyPositions(args: string[]): number[] {
  const spec = commandSpec(args[0] ?? "");
  if (!spec || spec.keyStart <= 0) return [];
  const stop = spec.keyStop < 0 ? args.length + spec.keyStop : spec.keyStop;
  const positions: number[] = [];
  for (let i = spec.keyStart; i <= stop && i < args.length; i += Math.max(spec.step, 1)) positions.push(i);
  return positions;
}

/**
 * Checks a well-formed command against the data as Redis would before running it; returns the
 * arguments to hand to ioredis-mock (SET's options in upper case), or throws the RedisError.
 */
export function checkCommand(args: string[], keyspace: Keyspace): string[] {
  const name = (args[0] ?? "").toUpperCase();
  const want = KEY_TYPES[name];
  if (want) {
    for (const [n, position] of keyPositions(args).entries()) {
      if (n === 0 && OVERWRITTEN_FIRST_KEY.has(name)) continue;
      const type = keyspace.typeOf(args[position] ?? "");
      if (type !== "none" && type !== want) throw new RedisError(WRONGTYPE);
    }
  }
  for (const position of INTEGER_ARGUMENTS[name] ?? []) {
    const value = args[position];
    if (value !== undefined && !isInteger(value)) throw new RedisError(NOT_AN_INTEGER);
  }
  for (const position of FLOAT_ARGUMENTS[name] ?? []) {
    const value = args[position];
    if (value !== undefined && !isFloat(value)) throw new RedisError(NOT_A_FLOAT);
  }
  const key = args[1] ?? "";
  switch (name) {
    case "INCR":
    case "DECR":
    case "INCRBY":
    case "DECRBY": {
      const current = keyspace.get(key);
      if (current !== undefined && !isInteger(current)) throw new RedisError(NOT_AN_INTEGER);
      break;
    }
    case "INCRBYFLOAT": {
      const current = keyspace.get(key);
      if (current !== undefined && !isFloat(current)) throw new RedisError(NOT_A_FLOAT);
      break;
    }
    case "HINCRBY": {
      const current = keyspace.hget(key, args[2] ?? "");
      if (current !== undefined && !isInteger(current)) throw new RedisError("ERR hash value is not an integer");
      break;
    }
    case "HINCRBYFLOAT": {
      const current = keyspace.hget(key, args[2] ?? "");
      if (current !== undefined && !isFloat(current)) throw new RedisError("ERR hash value is not a float");
      break;
    }
    case "SETEX":
    case "PSETEX":
      if (Number(args[2]) <= 0) throw new RedisError(`ERR invalid expire time in '${name.toLowerCase()}' command`);
      break;
    case "ZADD":
      checkZaddScores(args);
      break;
    case "RENAME":
    case "RENAMENX":
      if (!keyspace.exists(key)) throw new RedisError("ERR no such key");
      break;
    case "SET":
      return checkSet(args, keyspace);
  }
  return args;
}

/** SET key value [NX|XX] [GET] [EX s|PX ms|EXAT t|PXAT t|KEEPTTL], options in any case. */
function checkSet(args: string[], keyspace: Keyspace): string[] {
  const options = args.slice(3).map((option) => option.toUpperCase());
  const seen = new Set<string>();
  const out = args.slice(0, 3);
  for (let i = 0; i < options.length; i++) {
    const option = options[i] ?? "";
    if (option === "NX" || option === "XX" || option === "GET" || option === "KEEPTTL") {
      out.push(option);
      seen.add(option);
      continue;
    }
    if (!["EX", "PX", "EXAT", "PXAT"].includes(option) || i + 1 >= options.length) throw new RedisError("ERR syntax error");
    const value = args[3 + ++i] ?? "";
    if (!isInteger(value)) throw new RedisError(NOT_AN_INTEGER);
    if (Number(value) <= 0) throw new RedisError("ERR invalid expire time in 'set' command");
    out.push(option, value);
    seen.add("EXPIRY");
  }
  if ((seen.has("NX") && seen.has("XX")) || (seen.has("KEEPTTL") && seen.has("EXPIRY"))) throw new RedisError("ERR syntax error");
  if (seen.has("GET")) {
    const type = keyspace.typeOf(args[1] ?? "");
    if (type !== "none" && type !== "string") throw new RedisError(WRONGTYPE);
  }
  return out;
}

/** ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]. */
function checkZaddScores(args: string[]): void {
  let i = 2;
  while (i < args.length && ["NX", "XX", "GT", "LT", "CH", "INCR"].includes((args[i] ?? "").toUpperCase())) i++;
  const pairs = args.slice(i);
  if (pairs.length === 0 || pairs.length % 2 !== 0) throw new RedisError("ERR syntax error");
  for (let p = 0; p < pairs.length; p += 2) if (!isFloat(pairs[p] ?? "")) throw new RedisError(NOT_A_FLOAT);
}
