/**
 * Contract: PUBLISH / SUBSCRIBE through the Upstash stand-in's backend interface behave alike on
 * the embedded Redis (ioredis-mock) and a real Redis: a subscriber has a connection of its own
 * (ioredis `duplicate()`), gets only its channel's messages, and none after unsubscribing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RedisBackend } from "./backend.ts";
import { EmbeddedBackend } from "./embedded/embedded-backend.ts";
import { IoredisBackend } from "./ioredis-backend.ts";
import { RUN_ID, backendVariants } from "../testing/backends.ts";

/** Resolves with the next message the collector receives. */
function collector() {
  const messages: string[] = [];
  let waiting: ((message: string) => void) | undefined;
  return {
    messages,
    onMessage: (message: string) => {
      messages.push(message);
      waiting?.(message);
      waiting = undefined;
    },
    next: () => new Promise<string>((resolve) => (waiting = resolve)),
  };
}

for (const variant of backendVariants) {
  describe.skipIf(variant.skip)(`publish and subscribe on ${variant.name}`, () => {
    let backend: RedisBackend;
    let n = 0;
    const channel = (name: string) => `contract:${RUN_ID}:${name}:${++n}`;

    beforeAll(() => {
      backend = variant.redisUrl ? new IoredisBackend(variant.redisUrl) : new EmbeddedBackend();
    });
    afterAll(() => backend?.close());

    it("delivers a message to every subscriber of the channel and counts them", async () => {
      const ch = channel("fanout");
      const [one, two] = [collector(), collector()];
      const unsubscribeOne = await backend.subscribe(ch, one.onMessage);
      const unsubscribeTwo = await backend.subscribe(ch, two.onMessage);
      const received = Promise.all([one.next(), two.next()]);
      expect(await backend.publish(ch, "héllo ✓")).toBe(2);
      expect(await received).toEqual(["héllo ✓", "héllo ✓"]);
      await unsubscribeOne();
      await unsubscribeTwo();
    });

    it("keeps channels apart, and the publishing connection still runs commands", async () => {
      const [mine, other] = [channel("mine"), channel("other")];
      const inbox = collector();
      const unsubscribe = await backend.subscribe(mine, inbox.onMessage);
      expect(await backend.publish(other, "not for you")).toBe(0);
      const next = inbox.next();
      expect(await backend.publish(mine, "for you")).toBe(1);
      expect(await next).toBe("for you");
      expect(inbox.messages).toEqual(["for you"]);
      expect(await backend.command(["PING"])).toBeTruthy();
      await unsubscribe();
    });

    it("stops delivering once unsubscribed", async () => {
      const ch = channel("leave");
      const inbox = collector();
      const unsubscribe = await backend.subscribe(ch, inbox.onMessage);
      await unsubscribe();
      expect(await backend.publish(ch, "too late")).toBe(0);
      // A message still on its way would arrive within a round trip: make one, then look.
      await backend.command(["PING"]);
      expect(inbox.messages).toEqual([]);
    });
  });
}
