/** Contract: @upstash/redis 1.39 works against the Upstash stand-in as against Upstash, on both backends. */
import { Redis, errors } from "@upstash/redis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { clearFaults, counts, resetCounts, setFault, type UpstashCount } from "../control.ts";
import { startLocalStack, type LocalStack } from "../stack.ts";
import { RUN_ID, TEST_MIGRATIONS, backendVariants, deleteKeys } from "../testing/backends.ts";

for (const variant of backendVariants) {
  describe.skipIf(variant.skip)(`Upstash stand-in on ${variant.name}`, () => {
    let stack: LocalStack;
    let redis: Redis;
    let n = 0;
    /** A fresh key under this run's prefix: the real Redis is shared, so never FLUSHDB it. */
    const key = (name: string) => `contract:${RUN_ID}:${name}:${++n}`;
    const client = (token: string, options: { autoPipeline?: boolean; base64?: boolean } = {}) =>
      new Redis({
        url: stack.urls.upstash,
        token,
        retry: false,
        enableAutoPipelining: options.autoPipeline ?? false,
        responseEncoding: options.base64 === false ? false : "base64",
      });

    beforeAll(async () => {
      stack = await startLocalStack({ redisUrl: variant.redisUrl, migrationsFolder: TEST_MIGRATIONS });
      redis = client(stack.upstashToken("contract"));
    });
    afterAll(async () => {
      if (stack) await deleteKeys(redis, `contract:${RUN_ID}:*`);
      await stack?.stop();
    });
    beforeEach(() => clearFaults(stack.urls.upstash));

    it("serves get, set with options, incr, expire and ttl", async () => {
      const k = key("str");
      expect(await redis.get(k)).toBeNull();
      expect(await redis.set(k, "v1")).toBe("OK");
      expect(await redis.set(k, "v2", { nx: true })).toBeNull();
      expect(await redis.get(k)).toBe("v1");
      const counter = key("counter");
      expect(await redis.incr(counter)).toBe(1);
      expect(await redis.incrby(counter, 41)).toBe(42);
      expect(await redis.expire(counter, 100)).toBe(1);
      expect(await redis.ttl(counter)).toBeGreaterThan(98);
      await redis.set(k, "short", { px: 60_000 });
      expect(await redis.pttl(k)).toBeGreaterThan(59_000);
      expect(await redis.del(k, counter)).toBe(2);
    });

    it("stores and deserializes objects (automatic JSON) and hashes", async () => {
      const k = key("json");
      await redis.set(k, { a: 1, b: ["x"] });
      expect(await redis.get(k)).toEqual({ a: 1, b: ["x"] });
      const h = key("hash");
      expect(await redis.hset(h, { name: "ada", visits: 1 })).toBe(2);
      expect(await redis.hincrby(h, "visits", 2)).toBe(3);
      expect(await redis.hget(h, "name")).toBe("ada");
      expect(await redis.hgetall(h)).toEqual({ name: "ada", visits: 3 });
      expect(await redis.hmget(h, "name", "missing")).toEqual({ name: "ada", missing: null });
    });

    it("runs a pipeline in order and reports each command's error in place", async () => {
      const k = key("pipe");
      const h = key("pipe-hash");
      await redis.hset(h, { f: "v" });
      const results = await redis.pipeline().set(k, 1).incr(k).get(k).incr(h).exec({ keepErrors: true });
      expect(results.map((r) => r.result)).toEqual(["OK", 2, 2, undefined]);
      expect(results[3]?.error).toMatch(/^WRONGTYPE/);
    });

    it("runs multi-exec atomically", async () => {
      const k = key("multi");
      const results = await redis.multi().set(k, "a").append(k, "bc").get(k).exec();
      expect(results).toEqual(["OK", 3, "abc"]);
    });

    it("discards a whole multi-exec when a command is refused before running (EXECABORT)", async () => {
      const k = key("abort");
      const res = await fetch(`${stack.urls.upstash}/multi-exec`, {
        method: "POST",
        headers: { authorization: `Bearer ${stack.upstashToken()}` },
        body: JSON.stringify([["SET", k, "1"], ["NOSUCHCOMMAND"]]),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/^EXECABORT/);
      expect(await redis.get(k)).toBeNull();
    });

    it("gets one /pipeline request per tick for writes and one for reads (auto-pipelining in 1.39)", async () => {
      const scoped = client(stack.upstashToken("autopipe"), { autoPipeline: true });
      const k = key("auto");
      await resetCounts(stack.urls.upstash, "autopipe");
      await Promise.all([scoped.set(k, 1), scoped.incr(k), scoped.expire(k, 60)]);
      expect(await counts<UpstashCount>(stack.urls.upstash, "autopipe")).toEqual({ command: 0, pipeline: 1, "multi-exec": 0, commands: 3, subscribe: 0 });
      await resetCounts(stack.urls.upstash, "autopipe");
      const [, value] = await Promise.all([scoped.incr(k), scoped.get(k), scoped.ttl(k)]);
      expect(value).toBe(3);
      expect(await counts<UpstashCount>(stack.urls.upstash, "autopipe")).toEqual({ command: 0, pipeline: 2, "multi-exec": 0, commands: 3, subscribe: 0 });
    });

    it("throws UpstashError for error replies and unknown commands", async () => {
      const h = key("err");
      await redis.hset(h, { f: "v" });
      await expect(redis.incr(h)).rejects.toThrow(/WRONGTYPE/);
      await expect(redis.exec(["NOSUCHCOMMAND", "x"])).rejects.toBeInstanceOf(errors.UpstashError);
      await expect(redis.exec(["GET"])).rejects.toThrow(/wrong number of arguments/);
    });

    it("base64-encodes replies when asked, as the client expects, and not otherwise", async () => {
      const k = key("enc");
      const value = "héllo ✓ \u0000 line\nbreak";
      await redis.set(k, value);
      expect(await redis.get(k)).toBe(value);
      expect(await client(stack.upstashToken(), { base64: false }).get(k)).toBe(value);
      const raw = async (encoding?: string) => {
        const res = await fetch(stack.urls.upstash, {
          method: "POST",
          headers: { authorization: `Bearer ${stack.upstashToken()}`, ...(encoding ? { "upstash-encoding": encoding } : {}) },
          body: JSON.stringify(["GET", k]),
        });
        return res.json();
      };
      expect(await raw("base64")).toEqual({ result: Buffer.from(value).toString("base64") });
      expect(await raw()).toEqual({ result: value });
    });

    it("converts Lua replies as Redis does, with Upstash's shebang flag accepted", async () => {
      const script = "#!lua flags=allow-key-locking\nreturn {1, false, 'x', {2, redis.status_reply('S')}, 3.9}";
      expect(await redis.eval(script, [], [])).toEqual([1, null, "x", [2, "S"], 3]);
      const sha = await redis.scriptLoad(script);
      expect(sha).toMatch(/^[0-9a-f]{40}$/);
      expect(await redis.scriptExists(sha)).toEqual([1]);
      expect(await redis.evalsha(sha, [], [])).toEqual([1, null, "x", [2, "S"], 3]);
      const k = key("lua");
      expect(await redis.eval("redis.call('SET', KEYS[1], ARGV[1]); return redis.call('GET', KEYS[1])", [k], ["from lua"])).toBe("from lua");
      await expect(redis.evalsha("0".repeat(40), [], [])).rejects.toThrow(/NOSCRIPT/);
    });

    // ioredis-mock checks none of these itself; the embedded backend must answer as Redis does.
    it("refuses what Redis refuses before running: wrong type, not an integer, bad SET options, arity", async () => {
      const [str, hash, list] = [key("str"), key("hash"), key("list")];
      await redis.set(str, "text");
      await redis.hset(hash, { f: "v" });
      await redis.rpush(list, "a");
      const refused = async (command: [string, ...string[]]) => (await redis.exec(command).then(() => "no error", (error: Error) => error.message)).split(",")[0];
      for (const command of [["INCR", hash], ["GET", hash], ["LPUSH", str, "x"], ["HGET", str, "f"], ["SADD", hash, "m"], ["ZADD", list, "1", "m"], ["LLEN", hash]] satisfies [string, ...string[]][]) {
        expect(await refused(command), command.join(" ")).toMatch(/^WRONGTYPE/);
      }
      expect(await refused(["INCR", str])).toMatch(/^ERR value is not an integer or out of range/);
      expect(await refused(["INCRBY", key("n"), "1.5"])).toMatch(/^ERR value is not an integer or out of range/);
      expect(await refused(["EXPIRE", str, "soon"])).toMatch(/^ERR value is not an integer or out of range/);
      expect(await refused(["HINCRBY", hash, "f", "1"])).toMatch(/^ERR hash value is not an integer/);
      expect(await refused(["ZADD", key("z"), "high", "m"])).toMatch(/^ERR value is not a valid float/);
      expect(await refused(["SET", str, "v", "EX", "0"])).toMatch(/^ERR invalid expire time in 'set' command/);
      expect(await refused(["SET", str, "v", "NX", "XX"])).toMatch(/^ERR syntax error/);
      expect(await refused(["SET", str])).toMatch(/^ERR wrong number of arguments for 'set' command/);
      expect(await refused(["RENAME", key("missing"), key("to")])).toMatch(/^ERR no such key/);
      // Nothing above changed the data.
      expect(await redis.get(str)).toBe("text");
      expect(await redis.hgetall(hash)).toEqual({ f: "v" });
    });

    it("honours SET options in any case (a lowercase ex sets the expiry)", async () => {
      const k = key("lower-ex");
      expect(await redis.exec(["SET", k, "v", "ex", "100"])).toBe("OK");
      expect(await redis.ttl(k)).toBeGreaterThan(98);
      expect(await redis.eval("redis.call('SET', KEYS[1], 'v', 'px', 100000); return redis.call('TTL', KEYS[1])", [k], [])).toBeGreaterThan(98);
    });

    it("gives scripts Redis's values: integers, nested nil, filled tables, raised and returned errors", async () => {
      const [counter, hash, missing] = [key("lua-n"), key("lua-h"), key("lua-missing")];
      await redis.hset(hash, { a: "1", b: "2" });
      expect(await redis.eval("return 'n=' .. redis.call('INCR', KEYS[1])", [counter], [])).toBe("n=1");
      expect(await redis.eval("return {1, redis.call('GET', KEYS[1]), 3}", [missing], [])).toEqual([1, null, 3]);
      expect(await redis.eval("local t = redis.call('MGET', KEYS[1], KEYS[2]); return {#t, t[1] == false, 'n=' .. t[2]}", [missing, counter], [])).toEqual([2, 1, "n=1"]);
      expect(await redis.eval("local t = {} for i = 1, 3 do t[i] = i * 10 end return t", [], [])).toEqual([10, 20, 30]);
      expect(await redis.eval("return #redis.call('HGETALL', KEYS[1])", [hash], [])).toBe(4);
      expect(await redis.eval("return {true, false, 2.7, -2.7}", [], [])).toEqual([1, null, 2, -2]);
      await expect(redis.eval("return redis.call('INCR', KEYS[1])", [hash], [])).rejects.toThrow(/WRONGTYPE/);
      expect(await redis.eval("local reply = redis.pcall('INCR', KEYS[1]); return reply.err:sub(1, 9)", [hash], [])).toBe("WRONGTYPE");
      await expect(redis.eval("return redis.error_reply('MYERR refused')", [], [])).rejects.toThrow(/MYERR refused/);
      await expect(redis.eval("return redis.call('NOSUCHCOMMAND')", [], [])).rejects.toThrow(/Unknown Redis command/);
    });

    it("answers 401 Unauthorized to a wrong token", async () => {
      await expect(client("wrong-token").get("x")).rejects.toThrow(/Unauthorized/);
      await expect(client(`${stack.upstashToken()}x`).get("x")).rejects.toThrow(/Unauthorized/);
      const res = await fetch(stack.urls.upstash, { method: "POST", headers: { authorization: "Bearer nope" }, body: '["PING"]' });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: "Unauthorized" });
    });

    it("counts and faults per token scope", async () => {
      const one = client(stack.upstashToken("scope-one"));
      const two = client(stack.upstashToken("scope-two"));
      await resetCounts(stack.urls.upstash, "scope-one");
      await one.get(key("a"));
      await one.pipeline().get(key("b")).get(key("c")).exec();
      expect(await counts<UpstashCount>(stack.urls.upstash, "scope-one")).toEqual({ command: 1, pipeline: 1, "multi-exec": 0, commands: 3, subscribe: 0 });

      await setFault(stack.urls.upstash, { scope: "scope-one", down: true });
      await expect(one.get(key("d"))).rejects.toThrow();
      expect(await two.set(key("e"), 1)).toBe("OK");
      await setFault(stack.urls.upstash, { scope: "scope-two", status: 500 });
      await expect(two.get(key("f"))).rejects.toThrow(/injected fault: HTTP 500/);
      await clearFaults(stack.urls.upstash);
      expect(await one.get(key("g"))).toBeNull();
    });

    it("serves @upstash/redis's Subscriber: subscribe over server-sent events, publish, unsubscribe", async () => {
      const channel = key("channel");
      const subscriber = redis.subscribe<{ status: string }>(channel);
      const subscribed = new Promise<number>((resolve) => subscriber.on("subscribe", resolve));
      const received: { channel: string; message: { status: string } }[] = [];
      const two = new Promise<void>((resolve) =>
        subscriber.on(`message:${channel}`, (event) => {
          received.push(event);
          if (received.length === 2) resolve();
        }),
      );
      expect(await subscribed).toBe(1);
      expect(await redis.publish(channel, { status: "running" })).toBe(1);
      // A payload with commas and a newline-free JSON body arrives whole.
      expect(await redis.publish(channel, { status: "done, at last" })).toBe(1);
      await two;
      expect(received).toEqual([
        { channel, message: { status: "running" } },
        { channel, message: { status: "done, at last" } },
      ]);
      await subscriber.unsubscribe();
      // The stand-in notices the closed stream and drops the subscription.
      let receivers = 1;
      for (let i = 0; i < 50 && receivers > 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        receivers = await redis.publish(channel, "nobody listens");
      }
      expect(receivers).toBe(0);
    });

    it("answers a subscribe with a wrong token 401, and counts a subscribe as one command", async () => {
      const channel = key("counted");
      const res = await fetch(`${stack.urls.upstash}/subscribe/${channel}`, { method: "POST", headers: { authorization: "Bearer nope", accept: "text/event-stream" } });
      expect(res.status).toBe(401);
      await resetCounts(stack.urls.upstash, "scope-sub");
      const subscriber = client(stack.upstashToken("scope-sub")).subscribe(channel);
      await new Promise((resolve) => subscriber.on("subscribe", resolve));
      await subscriber.unsubscribe();
      expect(await counts<UpstashCount>(stack.urls.upstash, "scope-sub")).toMatchObject({ subscribe: 1, commands: 1 });
    });
  });
}
