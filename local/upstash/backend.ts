/** What the Upstash stand-in needs from a Redis: run commands, pipelines and transactions, and pub/sub. */

/**
 * A Redis reply. Bulk and status strings arrive as `string` (in-memory backend) or bytes (real
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
  /** Delivers `message` to the channel's subscribers; resolves to how many got it (PUBLISH's reply). */
  publish(channel: string, message: string): Promise<number>;
  /** Calls `onMessage` for each message published on `channel` until the returned function is called. */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
