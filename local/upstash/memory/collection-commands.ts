/** List and set commands of the in-memory Redis. */
import { OK, parseInteger, type CommandTable, type MemoryReply } from "./command.ts";
import type { Keyspace } from "./keyspace.ts";

/** Redis range semantics: negative indexes count from the end, out-of-range ends are clamped. */
function range(length: number, startText: string, stopText: string): [number, number] {
  let start = parseInteger(startText);
  let stop = parseInteger(stopText);
  if (start < 0) start = Math.max(length + start, 0);
  if (stop < 0) stop = length + stop;
  return [start, Math.min(stop, length - 1)];
}

function pop(keyspace: Keyspace, key: string, countText: string | undefined, fromLeft: boolean): MemoryReply {
  const count = countText === undefined ? undefined : parseInteger(countText);
  const list = keyspace.read(key, "list");
  if (!list) return null;
  const taken = fromLeft ? list.splice(0, count ?? 1) : list.splice(Math.max(list.length - (count ?? 1), 0)).reverse();
  keyspace.dropIfEmpty(key);
  return count === undefined ? (taken[0] ?? null) : taken;
}

export const collectionCommands: CommandTable = {
  LPUSH: {
    arity: -3,
    run: (ks, [key = "", ...values]) => {
      const list = ks.write(key, "list");
      list.unshift(...values.reverse());
      return list.length;
    },
  },
  RPUSH: {
    arity: -3,
    run: (ks, [key = "", ...values]) => {
      const list = ks.write(key, "list");
      list.push(...values);
      return list.length;
    },
  },
  LPOP: { arity: -2, run: (ks, [key = "", count]) => pop(ks, key, count, true) },
  RPOP: { arity: -2, run: (ks, [key = "", count]) => pop(ks, key, count, false) },
  LLEN: { arity: 2, run: (ks, [key = ""]) => ks.read(key, "list")?.length ?? 0 },
  LINDEX: {
    arity: 3,
    run: (ks, [key = "", index = ""]) => {
      const list = ks.read(key, "list") ?? [];
      const i = parseInteger(index);
      return list[i < 0 ? list.length + i : i] ?? null;
    },
  },
  LRANGE: {
    arity: 4,
    run: (ks, [key = "", start = "", stop = ""]) => {
      const list = ks.read(key, "list") ?? [];
      const [from, to] = range(list.length, start, stop);
      return from > to ? [] : list.slice(from, to + 1);
    },
  },
  LTRIM: {
    arity: 4,
    run: (ks, [key = "", start = "", stop = ""]) => {
      const list = ks.read(key, "list");
      if (!list) return OK;
      const [from, to] = range(list.length, start, stop);
      const kept = from > to ? [] : list.slice(from, to + 1);
      list.splice(0, list.length, ...kept);
      ks.dropIfEmpty(key);
      return OK;
    },
  },
  SADD: {
    arity: -3,
    run: (ks, [key = "", ...members]) => {
      const set = ks.write(key, "set");
      const before = set.size;
      for (const member of members) set.add(member);
      return set.size - before;
    },
  },
  SREM: {
    arity: -3,
    run: (ks, [key = "", ...members]) => {
      const set = ks.read(key, "set");
      if (!set) return 0;
      const removed = members.filter((member) => set.delete(member)).length;
      ks.dropIfEmpty(key);
      return removed;
    },
  },
  SMEMBERS: { arity: 2, run: (ks, [key = ""]) => [...(ks.read(key, "set") ?? [])] },
  SISMEMBER: { arity: 3, run: (ks, [key = "", member = ""]) => (ks.read(key, "set")?.has(member) ? 1 : 0) },
  SCARD: { arity: 2, run: (ks, [key = ""]) => ks.read(key, "set")?.size ?? 0 },
};
