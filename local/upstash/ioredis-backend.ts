/** Real-server backend: any Redis reachable by URL (or unix socket), through one ioredis connection. */
import { Redis, type ChainableCommander, type RedisOptions } from "ioredis";
import { RedisError, type CommandOutcome, type RedisBackend, type RedisReply } from "./backend.ts";

export class IoredisBackend implements RedisBackend {
  readonly #redis: Redis;
  /** A connection in subscriber mode (it can run nothing else), opened at the first subscribe. */
  #subscriber: Redis | undefined;
  readonly #listeners = new Map<string, Set<(message: string) => void>>();

  /** `target` is a redis:// URL or, for a spawned server, a unix socket path. */
  constructor(target: string) {
    const options: RedisOptions = { maxRetriesPerRequest: 2, enableAutoPipelining: false, lazyConnect: false };
    this.#redis = target.startsWith("/") ? new Redis({ ...options, path: target }) : new Redis(target, options);
    // Connection errors surface on the commands that hit them; don't crash the process on the event.
    this.#redis.on("error", () => undefined);
  }

  async command(args: string[]): Promise<RedisReply> {
    const [name, ...rest] = args;
    try {
      return toReply(await this.#redis.callBuffer(name ?? "", ...rest));
    } catch (error) {
      throw toRedisError(error);
    }
  }

  async pipeline(commands: string[][]): Promise<CommandOutcome[]> {
    return this.#exec(this.#redis.pipeline(), commands);
  }

  async transaction(commands: string[][]): Promise<CommandOutcome[]> {
    try {
      return await this.#exec(this.#redis.multi(), commands);
    } catch (error) {
      throw toRedisError(error);
    }
  }

  async publish(channel: string, message: string): Promise<number> {
    return Number(await this.command(["PUBLISH", channel, message]));
  }

  async subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>> {
    const subscriber = this.#subscriberConnection();
    let listeners = this.#listeners.get(channel);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(channel, listeners);
      await subscriber.subscribe(channel);
    }
    listeners.add(onMessage);
    return async () => {
      listeners.delete(onMessage);
      if (listeners.size > 0 || this.#listeners.get(channel) !== listeners) return;
      this.#listeners.delete(channel);
      await subscriber.unsubscribe(channel).catch(() => undefined);
    };
  }

  async close(): Promise<void> {
    await this.#subscriber?.quit().catch(() => this.#subscriber?.disconnect());
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }

  #subscriberConnection(): Redis {
    if (!this.#subscriber) {
      this.#subscriber = this.#redis.duplicate();
      this.#subscriber.on("error", () => undefined);
      this.#subscriber.on("message", (channel: string, message: string) => {
        for (const listener of this.#listeners.get(channel) ?? []) listener(message);
      });
    }
    return this.#subscriber;
  }

  async #exec(chain: ChainableCommander, commands: string[][]): Promise<CommandOutcome[]> {
    for (const [name, ...rest] of commands) void chain.callBuffer(name ?? "", ...rest);
    const results = (await chain.exec()) ?? [];
    return results.map(([error, value]) => (error ? toRedisError(error) : toReply(value)));
  }
}

function toReply(value: unknown): RedisReply {
  if (value === null || value === undefined) return null;
  if (typeof value === "number" || typeof value === "string" || value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map(toReply);
  // ioredis turns HGETALL replies into objects whatever the call style; put the flat array back.
  if (typeof value === "object") return Object.entries(value).flatMap(([field, item]) => [field, toReply(item)]);
  throw new RedisError(`unexpected reply from Redis: ${String(value)}`);
}

function toRedisError(error: unknown): RedisError {
  if (error instanceof RedisError) return error;
  if (error instanceof Error) return new RedisError(error.message);
  return new RedisError(String(error));
}
