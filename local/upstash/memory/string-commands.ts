/** String commands of the in-memory Redis. */
import { RedisError } from "../backend.ts";
import { OK, SYNTAX_ERROR, formatFloat, parseFloat64, parseInteger, type CommandTable, type MemoryReply } from "./command.ts";
import type { Keyspace } from "./keyspace.ts";

function incrementBy(keyspace: Keyspace, key: string, delta: number): number {
  const current = keyspace.read(key, "string");
  const value = (current === undefined ? 0 : parseInteger(current)) + delta;
  if (!Number.isSafeInteger(value)) throw new RedisError("ERR increment or decrement would overflow");
  keyspace.setString(key, String(value), true);
  return value;
}

const EXPIRY_OPTIONS: Record<string, (amount: number) => number> = {
  EX: (seconds) => Date.now() + seconds * 1000,
  PX: (ms) => Date.now() + ms,
  EXAT: (seconds) => seconds * 1000,
  PXAT: (ms) => ms,
};

/** SET key value [NX|XX] [GET] [EX s|PX ms|EXAT t|PXAT t|KEEPTTL] */
function set(keyspace: Keyspace, [key = "", value = "", ...options]: string[]): MemoryReply {
  let condition: "NX" | "XX" | undefined;
  let returnOld = false;
  let expiresAt: number | undefined;
  let keepTtl = false;
  for (let i = 0; i < options.length; i++) {
    const option = (options[i] ?? "").toUpperCase();
    const toExpiry = EXPIRY_OPTIONS[option];
    if ((option === "NX" || option === "XX") && !condition) condition = option;
    else if (option === "GET") returnOld = true;
    else if (option === "KEEPTTL" && expiresAt === undefined) keepTtl = true;
    else if (toExpiry && expiresAt === undefined && !keepTtl && options[i + 1] !== undefined) {
      const amount = parseInteger(options[++i] ?? "");
      if (amount <= 0) throw new RedisError("ERR invalid expire time in 'set' command");
      expiresAt = toExpiry(amount);
    } else throw new RedisError(SYNTAX_ERROR);
  }
  const old = returnOld ? (keyspace.read(key, "string") ?? null) : null;
  const exists = keyspace.entry(key) !== undefined;
  if ((condition === "NX" && exists) || (condition === "XX" && !exists)) return returnOld ? old : null;
  keyspace.setString(key, value, keepTtl);
  if (expiresAt !== undefined) keyspace.setExpiry(key, expiresAt);
  return returnOld ? old : OK;
}

export const stringCommands: CommandTable = {
  GET: { arity: 2, run: (ks, [key = ""]) => ks.read(key, "string") ?? null },
  SET: { arity: -3, run: set },
  SETNX: { arity: 3, run: (ks, [key = "", value = ""]) => (set(ks, [key, value, "NX"]) === null ? 0 : 1) },
  SETEX: { arity: 4, run: (ks, [key = "", seconds = "", value = ""]) => set(ks, [key, value, "EX", seconds]) },
  PSETEX: { arity: 4, run: (ks, [key = "", ms = "", value = ""]) => set(ks, [key, value, "PX", ms]) },
  GETSET: { arity: 3, run: (ks, [key = "", value = ""]) => set(ks, [key, value, "GET"]) },
  GETDEL: {
    arity: 2,
    run: (ks, [key = ""]) => {
      const value = ks.read(key, "string") ?? null;
      if (value !== null) ks.delete(key);
      return value;
    },
  },
  MGET: { arity: -2, run: (ks, keys) => keys.map((key) => (ks.entry(key)?.type === "string" ? (ks.read(key, "string") ?? null) : null)) },
  MSET: {
    arity: -3,
    run: (ks, args) => {
      if (args.length % 2 !== 0) throw new RedisError("ERR wrong number of arguments for 'mset' command");
      for (let i = 0; i < args.length; i += 2) ks.setString(args[i] ?? "", args[i + 1] ?? "");
      return OK;
    },
  },
  INCR: { arity: 2, run: (ks, [key = ""]) => incrementBy(ks, key, 1) },
  DECR: { arity: 2, run: (ks, [key = ""]) => incrementBy(ks, key, -1) },
  INCRBY: { arity: 3, run: (ks, [key = "", delta = ""]) => incrementBy(ks, key, parseInteger(delta)) },
  DECRBY: { arity: 3, run: (ks, [key = "", delta = ""]) => incrementBy(ks, key, -parseInteger(delta)) },
  INCRBYFLOAT: {
    arity: 3,
    run: (ks, [key = "", delta = ""]) => {
      const current = ks.read(key, "string");
      const value = formatFloat((current === undefined ? 0 : parseFloat64(current)) + parseFloat64(delta));
      ks.setString(key, value, true);
      return value;
    },
  },
  APPEND: {
    arity: 3,
    run: (ks, [key = "", suffix = ""]) => {
      const value = (ks.read(key, "string") ?? "") + suffix;
      ks.setString(key, value, true);
      return Buffer.byteLength(value);
    },
  },
  STRLEN: { arity: 2, run: (ks, [key = ""]) => Buffer.byteLength(ks.read(key, "string") ?? "") },
};
