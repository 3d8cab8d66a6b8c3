/** Sorted-set commands of the in-memory Redis (the subset sliding logs and leaderboards use). */
import { RedisError } from "../backend.ts";
import { SYNTAX_ERROR, formatFloat, parseFloat64, parseInteger, type CommandTable, type MemoryReply } from "./command.ts";
import type { Keyspace } from "./keyspace.ts";

type Member = [member: string, score: number];

/** Ordered by score, then member, as Redis orders them. */
function sorted(zset: Map<string, number> | undefined): Member[] {
  return [...(zset ?? [])].sort(([a, x], [b, y]) => x - y || (a < b ? -1 : a > b ? 1 : 0));
}

/** `(5` is exclusive, `-inf`/`+inf` unbounded. */
function scoreBound(text: string): (score: number, isMin: boolean) => boolean {
  const exclusive = text.startsWith("(");
  const value = parseFloat64(exclusive ? text.slice(1) : text);
  return (score, isMin) => (isMin ? (exclusive ? score > value : score >= value) : exclusive ? score < value : score <= value);
}

function inScoreRange(min: string, max: string): (entry: Member) => boolean {
  const low = scoreBound(min);
  const high = scoreBound(max);
  return ([, score]) => low(score, true) && high(score, false);
}

function withScores(members: Member[], scores: boolean): MemoryReply {
  return scores ? members.flatMap(([member, score]) => [member, formatFloat(score)]) : members.map(([member]) => member);
}

function zadd(keyspace: Keyspace, [key = "", ...args]: string[]): MemoryReply {
  const flags = new Set<string>();
  while (args.length > 0 && ["NX", "XX", "GT", "LT", "CH", "INCR"].includes((args[0] ?? "").toUpperCase())) {
    flags.add((args.shift() ?? "").toUpperCase());
  }
  if (args.length === 0 || args.length % 2 !== 0 || (flags.has("NX") && flags.has("XX")) || (flags.has("INCR") && args.length !== 2))
    throw new RedisError(SYNTAX_ERROR);
  const pairs: Member[] = [];
  for (let i = 0; i < args.length; i += 2) pairs.push([args[i + 1] ?? "", parseFloat64(args[i] ?? "")]);
  const zset = keyspace.write(key, "zset");
  let changed = 0;
  let added = 0;
  let incremented: number | null = null;
  for (const [member, score] of pairs) {
    const current = zset.get(member);
    const next = flags.has("INCR") ? (current ?? 0) + score : score;
    const allowed =
      !(flags.has("NX") && current !== undefined) &&
      !(flags.has("XX") && current === undefined) &&
      !(flags.has("GT") && current !== undefined && next <= current) &&
      !(flags.has("LT") && current !== undefined && next >= current);
    if (!allowed) continue;
    if (current === undefined) added++;
    if (current !== next) changed++;
    zset.set(member, next);
    incremented = next;
  }
  keyspace.dropIfEmpty(key);
  if (flags.has("INCR")) return incremented === null ? null : formatFloat(incremented);
  return flags.has("CH") ? changed : added;
}

/** ZRANGE key start stop [BYSCORE] [REV] [LIMIT offset count] [WITHSCORES] */
function zrange(keyspace: Keyspace, [key = "", start = "", stop = "", ...options]: string[]): MemoryReply {
  const upper = options.map((option) => option.toUpperCase());
  const byScore = upper.includes("BYSCORE");
  const reverse = upper.includes("REV");
  const limitAt = upper.indexOf("LIMIT");
  let members = sorted(keyspace.read(key, "zset"));
  if (reverse) members.reverse();
  if (byScore) {
    members = members.filter(reverse ? inScoreRange(stop, start) : inScoreRange(start, stop));
    if (limitAt >= 0) {
      const offset = parseInteger(options[limitAt + 1] ?? "");
      const count = parseInteger(options[limitAt + 2] ?? "");
      members = members.slice(offset, count < 0 ? undefined : offset + count);
    }
  } else {
    let from = parseInteger(start);
    let to = parseInteger(stop);
    if (from < 0) from = Math.max(members.length + from, 0);
    if (to < 0) to = members.length + to;
    members = from > to ? [] : members.slice(from, to + 1);
  }
  return withScores(members, upper.includes("WITHSCORES"));
}

export const sortedSetCommands: CommandTable = {
  ZADD: { arity: -4, run: zadd },
  ZINCRBY: { arity: 4, run: (ks, [key = "", delta = "", member = ""]) => zadd(ks, [key, "INCR", delta, member]) },
  ZREM: {
    arity: -3,
    run: (ks, [key = "", ...members]) => {
      const zset = ks.read(key, "zset");
      if (!zset) return 0;
      const removed = members.filter((member) => zset.delete(member)).length;
      ks.dropIfEmpty(key);
      return removed;
    },
  },
  ZSCORE: {
    arity: 3,
    run: (ks, [key = "", member = ""]) => {
      const score = ks.read(key, "zset")?.get(member);
      return score === undefined ? null : formatFloat(score);
    },
  },
  ZCARD: { arity: 2, run: (ks, [key = ""]) => ks.read(key, "zset")?.size ?? 0 },
  ZCOUNT: { arity: 4, run: (ks, [key = "", min = "", max = ""]) => sorted(ks.read(key, "zset")).filter(inScoreRange(min, max)).length },
  ZRANK: {
    arity: 3,
    run: (ks, [key = "", member = ""]) => {
      const index = sorted(ks.read(key, "zset")).findIndex(([m]) => m === member);
      return index < 0 ? null : index;
    },
  },
  ZRANGE: { arity: -4, run: zrange },
  ZRANGEBYSCORE: {
    arity: -4,
    run: (ks, [key = "", min = "", max = "", ...options]) => zrange(ks, [key, min, max, "BYSCORE", ...options]),
  },
  ZREMRANGEBYSCORE: {
    arity: 4,
    run: (ks, [key = "", min = "", max = ""]) => {
      const zset = ks.read(key, "zset");
      if (!zset) return 0;
      const doomed = sorted(zset).filter(inScoreRange(min, max));
      for (const [member] of doomed) zset.delete(member);
      ks.dropIfEmpty(key);
      return doomed.length;
    },
  },
};
