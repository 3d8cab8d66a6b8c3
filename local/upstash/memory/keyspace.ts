/**
 * The in-memory Redis keyspace: typed values with millisecond expiry. Everything is synchronous,
 * so a command, a MULTI block or a Lua script runs atomically on Node's single thread.
 */
import { RedisError } from "../backend.ts";

export interface ValueTypes {
  string: string;
  hash: Map<string, string>;
  list: string[];
  set: Set<string>;
  zset: Map<string, number>;
}
export type ValueType = keyof ValueTypes;

interface Entry<T extends ValueType = ValueType> {
  type: T;
  value: ValueTypes[T];
  /** Epoch milliseconds; undefined = no expiry. */
  expiresAt?: number;
}

export const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";

const EMPTY: { [T in ValueType]: () => ValueTypes[T] } = {
  string: () => "",
  hash: () => new Map(),
  list: () => [],
  set: () => new Set(),
  zset: () => new Map(),
};

export class Keyspace {
  readonly #entries = new Map<string, Entry>();

  /** The live entry at `key` (expired ones are removed on the way). */
  entry(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** The value at `key` if it has type `type`; undefined when missing; WRONGTYPE otherwise. */
  read<T extends ValueType>(key: string, type: T): ValueTypes[T] | undefined {
    const entry = this.entry(key);
    if (!entry) return undefined;
    if (entry.type !== type) throw new RedisError(WRONGTYPE);
    return entry.value as ValueTypes[T];
  }

  /** Like `read`, but creates an empty value of `type` when the key is missing. */
  write<T extends ValueType>(key: string, type: T): ValueTypes[T] {
    const existing = this.read(key, type);
    if (existing !== undefined) return existing;
    const value = EMPTY[type]();
    this.#entries.set(key, { type, value });
    return value;
  }

  /** Stores a string, dropping any expiry unless `keepTtl`. */
  setString(key: string, value: string, keepTtl = false): void {
    const expiresAt = keepTtl ? this.entry(key)?.expiresAt : undefined;
    this.#entries.set(key, { type: "string", value, expiresAt });
  }

  /** Redis removes a hash, list, set or sorted set once it is empty. */
  dropIfEmpty(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry || entry.type === "string") return;
    const size = entry.value instanceof Map || entry.value instanceof Set ? entry.value.size : (entry.value as string[]).length;
    if (size === 0) this.#entries.delete(key);
  }

  delete(key: string): boolean {
    return this.entry(key) !== undefined && this.#entries.delete(key);
  }

  expiresAt(key: string): number | undefined {
    return this.entry(key)?.expiresAt;
  }

  /** Sets (or with undefined, removes) the expiry; a time in the past deletes the key. */
  setExpiry(key: string, expiresAt: number | undefined): boolean {
    const entry = this.entry(key);
    if (!entry) return false;
    if (expiresAt !== undefined && expiresAt <= Date.now()) this.#entries.delete(key);
    else entry.expiresAt = expiresAt;
    return true;
  }

  rename(from: string, to: string): void {
    const entry = this.entry(from);
    if (!entry) throw new RedisError("ERR no such key");
    this.#entries.delete(from);
    this.#entries.set(to, entry);
  }

  /** Live keys, in insertion order (stable across SCAN calls). */
  keys(): string[] {
    return [...this.#entries.keys()].filter((key) => this.entry(key) !== undefined);
  }

  size(): number {
    return this.keys().length;
  }

  flush(): void {
    this.#entries.clear();
  }

  /** Drops expired keys nobody reads any more, so memory does not grow without bound. */
  sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.#entries) if (entry.expiresAt !== undefined && entry.expiresAt <= now) this.#entries.delete(key);
  }
}
