/**
 * Pub/sub over Upstash's REST API: PUBLISH is one command, and a subscription is one server-sent
 * event stream (`POST /subscribe/<channel>`) read by @upstash/redis's own Subscriber. Why Upstash
 * and not a Durable Object: docs/ARCHITECTURE.md ("Job status by push").
 *
 * Both sides fail soft: a publish that errs is logged and lost, and a subscription that cannot
 * start simply delivers nothing. Callers read the database once more before they give up.
 */
import type { Logger } from "./log.ts";
import { errorFields } from "./log.ts";
import type { Redis } from "./redis.ts";

/** Publishes `message` (JSON); never throws. */
export async function publish(redis: Redis, logger: Logger, channel: string, message: unknown): Promise<void> {
  try {
    await redis.publish(channel, message);
  } catch (err) {
    logger.warn("publish failed; subscribers fall back to reading the database", { channel, ...errorFields(err) });
  }
}

export interface Subscription {
  /**
   * True once Upstash confirmed the subscription (anything published from then on arrives); false
   * when it failed or did not confirm within `ms`.
   */
  ready(ms: number): Promise<boolean>;
  /** The next message, or undefined when none arrived within `ms` (or the subscription ended). */
  next(ms: number): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * Subscribes to one channel. Messages are queued until `next` takes them.
 *
 * @example
 * const subscription = subscribe(redis, channel);
 * if (await subscription.ready(2_000)) await readTheStateOnce();
 * const message = await subscription.next(30_000);
 */
export function subscribe(redis: Redis, channel: string): Subscription {
  const subscriber = redis.subscribe<unknown>(channel);
  const queued: unknown[] = [];
  let wake: (() => void) | undefined;
  let state: "pending" | "ready" | "failed" = "pending";
  const settle = (next: "ready" | "failed") => {
    if (state === "pending") state = next;
    wake?.();
  };
  subscriber.on("subscribe", () => settle("ready"));
  subscriber.on("error", () => settle("failed"));
  subscriber.on(`message:${channel}`, ({ message }) => {
    queued.push(message);
    wake?.();
  });

  /** Resolves when something happens or after `ms`. */
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  return {
    async ready(ms) {
      if (state === "pending") await wait(ms);
      return state === "ready";
    },
    async next(ms) {
      if (queued.length === 0) await wait(ms);
      return queued.shift();
    },
    async close() {
      await subscriber.unsubscribe();
      wake?.();
    },
  };
}
