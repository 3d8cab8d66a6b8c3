/** The shape of an in-memory command, and argument parsing with Redis's own error messages. */
import { RedisError, type RedisReply } from "../backend.ts";
import type { Keyspace } from "./keyspace.ts";

/** A status reply (`+OK`): encoded like a string over REST, but a `{ok = ...}` table inside Lua. */
export interface Status {
  status: string;
}
export const OK: Status = { status: "OK" };

export type MemoryReply = RedisReply | Status | MemoryReply[];

export interface CommandSpec {
  /** As Redis counts it, the name included: n = exactly n, -n = at least n. */
  arity: number;
  /** `args` excludes the command name. */
  run(keyspace: Keyspace, args: string[]): MemoryReply;
}

export type CommandTable = Record<string, CommandSpec>;

export const SYNTAX_ERROR = "ERR syntax error";
const NOT_AN_INTEGER = "ERR value is not an integer or out of range";
const NOT_A_FLOAT = "ERR value is not a valid float";

export function parseInteger(text: string, message = NOT_AN_INTEGER): number {
  if (!/^-?\d+$/.test(text)) throw new RedisError(message);
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RedisError(message);
  return value;
}

export function parseFloat64(text: string): number {
  const normalized = text.toLowerCase();
  if (normalized === "inf" || normalized === "+inf") return Infinity;
  if (normalized === "-inf") return -Infinity;
  const value = Number(text);
  if (text.trim() === "" || Number.isNaN(value)) throw new RedisError(NOT_A_FLOAT);
  return value;
}

/** Redis prints floats with up to 17 significant digits and no trailing zeros. */
export function formatFloat(value: number): string {
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  return String(Number(value.toPrecision(17)));
}

/** Glob matching as KEYS and SCAN MATCH do it: `*`, `?`, `[abc]`, `[^a]`, `[a-z]`, `\x`. */
export function globToRegExp(pattern: string): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] ?? "";
    if (char === "*") source += "[\\s\\S]*";
    else if (char === "?") source += "[\\s\\S]";
    else if (char === "\\" && i + 1 < pattern.length) source += escapeRegExp(pattern[++i] ?? "");
    else if (char === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end === -1) source += "\\[";
      else {
        const body = pattern.slice(i + 1, end).replace(/\\/g, "\\\\");
        source += `[${body.startsWith("^") ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else source += escapeRegExp(char);
  }
  return new RegExp(`^${source}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
