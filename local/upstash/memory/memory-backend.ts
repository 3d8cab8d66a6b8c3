/**
 * The in-memory Redis, for machines without redis-server: the commands an Upstash client
 * typically sends (strings, keys, hashes, lists, sets, sorted sets, Lua scripts). Commands run
 * synchronously, so a MULTI block or a script is atomic and rate limits come out exact.
 * Anything else answers "unknown command" rather than guessing.
 */
import { RedisError, type CommandOutcome, type RedisBackend, type RedisReply } from "../backend.ts";
import { collectionCommands } from "./collection-commands.ts";
import type { CommandSpec, CommandTable, MemoryReply } from "./command.ts";
import { hashCommands } from "./hash-commands.ts";
import { keyCommands } from "./key-commands.ts";
import { Keyspace } from "./keyspace.ts";
import { LuaEngine } from "./lua.ts";
import { NOT_FROM_SCRIPTS, scriptingCommands } from "./scripting-commands.ts";
import { sortedSetCommands } from "./sorted-set-commands.ts";
import { stringCommands } from "./string-commands.ts";

export class MemoryBackend implements RedisBackend {
  readonly #keyspace = new Keyspace();
  readonly #lua = new LuaEngine((args) => this.#run(this.#resolve(args, true), args));
  readonly #commands: CommandTable = {
    ...stringCommands,
    ...keyCommands,
    ...hashCommands,
    ...collectionCommands,
    ...sortedSetCommands,
    ...scriptingCommands(this.#lua),
    PUBLISH: { arity: 3, run: (_keyspace, [channel = "", message = ""]) => this.#deliver(channel, message) },
  };
  /** Pub/sub lives beside the keyspace, as in Redis: subscribers by channel. */
  readonly #listeners = new Map<string, Set<(message: string) => void>>();
  readonly #sweeper = setInterval(() => this.#keyspace.sweep(), 10_000).unref();

  async command(args: string[]): Promise<RedisReply> {
    return toRedisReply(this.#run(this.#resolve(args), args));
  }

  async pipeline(commands: string[][]): Promise<CommandOutcome[]> {
    return commands.map((args) => this.#outcome(args));
  }

  async transaction(commands: string[][]): Promise<CommandOutcome[]> {
    // Like MULTI: an unknown command or a wrong argument count discards the whole block.
    for (const args of commands) {
      try {
        this.#resolve(args);
      } catch (error) {
        const reason = error instanceof RedisError ? error.message : String(error);
        throw new RedisError(`EXECABORT Transaction discarded because of previous errors: ${reason}`);
      }
    }
    return commands.map((args) => this.#outcome(args));
  }

  async publish(channel: string, message: string): Promise<number> {
    return this.#deliver(channel, message);
  }

  async subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>> {
    const listeners = this.#listeners.get(channel) ?? new Set();
    this.#listeners.set(channel, listeners);
    listeners.add(onMessage);
    return async () => {
      listeners.delete(onMessage);
      if (listeners.size === 0) this.#listeners.delete(channel);
    };
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    clearInterval(this.#sweeper);
    this.#keyspace.flush();
    this.#lua.flush();
  }

  #outcome(args: string[]): CommandOutcome {
    try {
      return toRedisReply(this.#run(this.#resolve(args), args));
    } catch (error) {
      if (error instanceof RedisError) return error;
      throw error;
    }
  }

  /** Finds the command and checks its argument count, as Redis does before queuing or running it. */
  #resolve(args: string[], fromScript = false): CommandSpec {
    const [rawName = "", ...rest] = args;
    const name = rawName.toUpperCase();
    const spec = this.#commands[name];
    if (!spec) {
      const preview = rest.slice(0, 3).map((arg) => `'${arg}'`).join(" ");
      throw new RedisError(`ERR unknown command '${rawName}', with args beginning with: ${preview}`);
    }
    if (fromScript && NOT_FROM_SCRIPTS.has(name)) throw new RedisError("ERR This Redis command is not allowed from script");
    if (spec.arity > 0 ? args.length !== spec.arity : args.length < -spec.arity) {
      throw new RedisError(`ERR wrong number of arguments for '${rawName.toLowerCase()}' command`);
    }
    return spec;
  }

  /** Delivered after the command returns, like a real server writing to other connections. */
  #deliver(channel: string, message: string): number {
    const listeners = [...(this.#listeners.get(channel) ?? [])];
    queueMicrotask(() => {
      for (const listener of listeners) listener(message);
    });
    return listeners.length;
  }

  #run(spec: CommandSpec, args: string[]): MemoryReply {
    return spec.run(this.#keyspace, args.slice(1));
  }
}

/** Status replies travel as plain strings over REST. */
function toRedisReply(reply: MemoryReply): RedisReply {
  if (Array.isArray(reply)) return reply.map(toRedisReply);
  if (reply !== null && typeof reply === "object" && !(reply instanceof Uint8Array)) return reply.status;
  return reply;
}
