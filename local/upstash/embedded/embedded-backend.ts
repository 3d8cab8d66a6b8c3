/**
 * The embedded Redis, for machines without redis-server: ioredis-mock (an in-process emulator
 * with the ioredis API) behind the adapter real Redis would not need — Redis's checks before a
 * command runs (rules.ts) and Redis's Lua semantics around its script bridge (lua.ts), plus
 * EVALSHA and SCRIPT, which it lacks. ioredis-mock runs a command synchronously when it is called,
 * so a transaction started in one go is atomic, and so is a script.
 */
import RedisMock from "ioredis-mock";
import type { Redis } from "ioredis";
import { RedisError, type CommandOutcome, type RedisBackend, type RedisReply } from "../backend.ts";
import { subscribeWith, toRedisError, toReply } from "../ioredis-backend.ts";
import { sha1 } from "../scripts.ts";
import { checkCommand, isInteger, shapeError, type Keyspace, type RedisType } from "./rules.ts";
import { decodeReply, wrapScript } from "./lua.ts";

/** The part of ioredis-mock's instance the checks read: its synchronous key store. */
interface MockData {
  has(key: string): boolean;
  get(key: string): unknown;
}

type MockCommand = (...args: string[]) => Promise<unknown>;

let instances = 0;

export class EmbeddedBackend implements RedisBackend {
  readonly #redis: Redis;
  readonly #keyspace: Keyspace;
  /** SCRIPT LOAD / EVAL's scripts by SHA1, for EVALSHA. */
  readonly #scripts = new Map<string, string>();

  constructor() {
    // ioredis-mock shares data between instances of one host:port: give each backend its own.
    this.#redis = new RedisMock({ host: `embedded-${process.pid}-${++instances}`, lazyConnect: false });
    this.#keyspace = keyspaceOf((this.#redis as unknown as { data: MockData }).data);
  }

  async command(args: string[]): Promise<RedisReply> {
    try {
      return await this.#start(args);
    } catch (error) {
      throw toRedisError(error);
    }
  }

  async pipeline(commands: string[][]): Promise<CommandOutcome[]> {
    const outcomes: CommandOutcome[] = [];
    for (const args of commands) outcomes.push(await this.command(args).catch((error: unknown) => toRedisError(error)));
    return outcomes;
  }

  async transaction(commands: string[][]): Promise<CommandOutcome[]> {
    // Like MULTI: an unknown command or a wrong argument count discards the whole block.
    for (const args of commands) {
      const refused = shapeError(args);
      if (refused) throw new RedisError(`EXECABORT Transaction discarded because of previous errors: ${refused}`);
    }
    // Every command starts before any is awaited: nothing else runs in between.
    const started = commands.map((args) => {
      try {
        return this.#start(args);
      } catch (error) {
        return Promise.reject(toRedisError(error));
      }
    });
    return Promise.all(started.map((reply) => reply.catch((error: unknown) => toRedisError(error))));
  }

  publish(channel: string, message: string): Promise<number> {
    return this.#redis.publish(channel, message);
  }

  subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>> {
    return subscribeWith(this.#redis, channel, onMessage);
  }

  async close(): Promise<void> {
    await this.#redis.flushall();
    this.#redis.disconnect();
  }

  /** Checks and starts one command; a refusal throws synchronously. */
  #start(args: string[]): Promise<RedisReply> {
    const refused = shapeError(args);
    if (refused) throw new RedisError(refused);
    const name = (args[0] ?? "").toUpperCase();
    if (name === "EVAL" || name === "EVAL_RO") return this.#eval(args[1] ?? "", args.slice(2));
    if (name === "EVALSHA" || name === "EVALSHA_RO") {
      const script = this.#scripts.get((args[1] ?? "").toLowerCase());
      if (script === undefined) throw new RedisError("NOSCRIPT No matching script. Please use EVAL.");
      return this.#eval(script, args.slice(2));
    }
    if (name === "SCRIPT") return Promise.resolve(this.#script(args.slice(1)));
    const checked = checkCommand(args, this.#keyspace);
    const method = (this.#redis as unknown as Record<string, unknown>)[name.toLowerCase()];
    if (typeof method !== "function") {
      throw new RedisError(`ERR unknown command '${args[0] ?? ""}' (the embedded Redis, ioredis-mock, does not emulate it: put redis-server on the PATH)`);
    }
    return (method as MockCommand).apply(this.#redis, checked.slice(1)).then(toReply);
  }

  #eval(script: string, [numkeysText = "", ...rest]: string[]): Promise<RedisReply> {
    if (!isInteger(numkeysText)) throw new RedisError("ERR value is not an integer or out of range");
    const numkeys = Number(numkeysText);
    if (numkeys < 0) throw new RedisError("ERR Number of keys can't be negative");
    if (numkeys > rest.length) throw new RedisError("ERR Number of keys can't be greater than number of args");
    this.#scripts.set(sha1(script), script);
    return this.#redis.eval(wrapScript(script), numkeys, ...rest).then(decodeReply, (error: unknown) => {
      // The wrapper catches every run-time error; what escapes is a script that does not compile.
      const detail = error instanceof Error ? error.message.replace(/^Error trying to loading or executing lua code string in VM: /, "") : String(error);
      throw new RedisError(`ERR Error compiling script (new function): ${detail}`);
    });
  }

  #script([subcommand = "", ...args]: string[]): RedisReply {
    switch (subcommand.toUpperCase()) {
      case "LOAD": {
        const script = args[0] ?? "";
        const sha = sha1(script);
        this.#scripts.set(sha, script);
        return sha;
      }
      case "EXISTS":
        return args.map((sha) => (this.#scripts.has(sha.toLowerCase()) ? 1 : 0));
      case "FLUSH":
        this.#scripts.clear();
        return "OK";
      default:
        throw new RedisError(`ERR unknown subcommand '${subcommand}'. Try SCRIPT HELP.`);
    }
  }
}

/** Reads ioredis-mock's store as its TYPE command does: Set = set, Map = zset, array = list, object = hash. */
function keyspaceOf(data: MockData): Keyspace {
  const typeOf = (key: string): RedisType | "none" => {
    if (!data.has(key)) return "none";
    const value = data.get(key);
    if (typeof value === "string" || value instanceof Uint8Array) return "string";
    if (value instanceof Set) return "set";
    if (value instanceof Map) return "zset";
    if (Array.isArray(value)) return "list";
    return "hash";
  };
  return {
    typeOf,
    exists: (key) => data.has(key),
    get: (key) => {
      const value = data.get(key);
      return typeof value === "string" ? value : value instanceof Uint8Array ? Buffer.from(value).toString("utf8") : undefined;
    },
    hget: (key, field) => {
      if (typeOf(key) !== "hash") return undefined;
      const value = (data.get(key) as Record<string, unknown>)[field];
      return value === undefined ? undefined : String(value);
    },
  };
}
