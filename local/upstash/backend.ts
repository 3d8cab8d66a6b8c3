/** What the Upstash stand-in needs from a Redis: run commands, pipelines and transactions; publish and subscribe. */

/**
 * A Redis reply. Bulk and status strings arrive as `string` (embedded backend) or bytes (real
 * Redis); both are encoded alike, as Upstash does.
 */
export type RedisReply = string | Uint8Array | number | null | RedisReply[];

/** A Redis error reply, e.g. `WRONGTYPE ...`. Thrown by `command`, returned in place by the others. */
export class RedisError extends Error {}

export type CommandOutcome = RedisReply | RedisError;

export interface RedisBackend {
  command(args: string[]): Promise<RedisReply>;
  /** In order, not atomic: one outcome per command. */
  pipeline(commands: string[][]): Promise<CommandOutcome[]>;
  /** Atomic (MULTI/EXEC). Throws a RedisError (EXECABORT) when a command is refused before running. */
  transaction(commands: string[][]): Promise<CommandOutcome[]>;
  /** PUBLISH: resolves to the number of subscribers that received the message. */
  publish(channel: string, message: string): Promise<number>;
  /** SUBSCRIBE to one channel; resolves once subscribed, to the function that unsubscribes. */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
