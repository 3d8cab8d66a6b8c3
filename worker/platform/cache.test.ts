import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { clearFaults, setFault } from "../../local/control.ts";
import type { Env } from "../config.ts";
import { awaited, measured } from "../../local/testing/round-trips.ts";
import { call, scopes, testEnv } from "../testing/http.ts";
import { registerUser } from "../testing/users.ts";
import { cacheFamily, createCache, type CacheFamily } from "./cache.ts";
import { servicesFor } from "./services.ts";

const services = servicesFor(env as unknown as Env);
const cache = createCache(services);
const family = (ttlSeconds = 60): CacheFamily => cacheFamily(services.config, ttlSeconds, "test", crypto.randomUUID());
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A loader that counts its calls and returns the call number. */
function loader(delayMs = 0) {
  const load = vi.fn(async () => {
    if (delayMs) await pause(delayMs);
    return { call: load.mock.calls.length };
  });
  return load;
}

describe("the shared cache (cache-aside over Upstash)", () => {
  afterEach(async () => {
    vi.restoreAllMocks();
    await clearFaults(testEnv.STANDIN_UPSTASH, scopes.upstash);
  });

  it("loads on a miss and serves the stored value afterwards", async () => {
    const f = family();
    const load = loader();
    expect(await cache.read(f, "a", load)).toEqual({ call: 1 });
    expect(await cache.read(f, "a", load)).toEqual({ call: 1 });
    expect(load).toHaveBeenCalledTimes(1);
  });

  it("invalidates every member of a family at once", async () => {
    const f = family();
    const other = family();
    const load = loader();
    await cache.read(f, "a", load);
    await cache.read(f, "b", load);
    await cache.read(other, "a", load);
    await cache.invalidate(f);
    expect(await cache.read(f, "a", load)).toEqual({ call: 4 });
    expect(await cache.read(f, "b", load)).toEqual({ call: 5 });
    expect(await cache.read(other, "a", load)).toEqual({ call: 3 });
  });

  it("never lets a reader that loaded before a write re-publish what it read", async () => {
    const f = family();
    let release: () => void = () => undefined;
    const slow = cache.read(f, "a", async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return "before the write";
    });
    await pause(50);
    await cache.invalidate(f); // the write happens while the slow reader holds old data
    release();
    expect(await slow).toBe("before the write");
    expect(await cache.read(f, "a", async () => "after the write")).toBe("after the write");
  });

  it("does not store what the caller marks as not storable, nor undefined", async () => {
    const f = family();
    const load = loader();
    await cache.read(f, "a", load, { storable: () => false });
    await cache.read(f, "a", load, { storable: () => false });
    expect(load).toHaveBeenCalledTimes(2);
    const nothing = vi.fn(async () => undefined);
    await cache.read(f, "b", nothing);
    await cache.read(f, "b", nothing);
    expect(nothing).toHaveBeenCalledTimes(2);
  });

  it("refreshes a value early for a caller picked at random, more likely near expiry (no stampede at expiry)", async () => {
    const f = family(1);
    const load = loader(5);
    await cache.read(f, "a", load);
    vi.spyOn(Math, "random").mockReturnValue(0.999_999);
    expect(await cache.read(f, "a", load)).toEqual({ call: 1 });
    vi.spyOn(Math, "random").mockReturnValue(1e-300);
    expect(await cache.read(f, "a", load)).toEqual({ call: 2 });
    vi.restoreAllMocks();
    expect(await cache.read(f, "a", load)).toEqual({ call: 2 });
  });

  it("fails soft: with Upstash down, reads load from the source and writes do not throw", async () => {
    const f = family();
    const load = loader();
    await cache.read(f, "a", load);
    await setFault(testEnv.STANDIN_UPSTASH, { scope: scopes.upstash, down: true });
    expect(await cache.read(f, "b", load)).toEqual({ call: 2 });
    await expect(cache.invalidate(f)).resolves.toBeUndefined();
    // The failed invalidation makes this isolate read the family through, so the stale value of
    // "a" is not served when Upstash comes back.
    await clearFaults(testEnv.STANDIN_UPSTASH, scopes.upstash);
    expect(await cache.read(f, "a", load)).toEqual({ call: 3 });
  });

  it("fails soft on a slow Upstash: the source answers without waiting for it", async () => {
    const f = family();
    // Longer than the test may run: only giving up on Upstash lets the read answer.
    await setFault(testEnv.STANDIN_UPSTASH, { scope: scopes.upstash, latencyMs: 120_000 });
    expect(await cache.read(f, "a", async () => "from the database")).toBe("from the database");
  });
});

describe("GET /api/v1/me through the cache (profile, 5 min)", () => {
  it("costs one Neon round trip on a miss and none on a hit, with a strong ETag and 304", async () => {
    const alice = await registerUser();
    const miss = await measured(() => call("GET", "/api/v1/me", { token: alice.accessToken }));
    expect(awaited(miss.res)).toEqual({ neon: 1, upstash: 1, cache: "miss" });
    const hit = await measured(() => call("GET", "/api/v1/me", { token: alice.accessToken }));
    expect(awaited(hit.res)).toEqual({ neon: 0, upstash: 1, cache: "hit" });
    expect(hit.served).toEqual({ neon: 0, upstash: 1 });
    expect(hit.res.headers.get("cache-control")).toBe("private, no-cache");
    const etag = hit.res.headers.get("etag") ?? "";
    const again = await call("GET", "/api/v1/me", { token: alice.accessToken, headers: { "If-None-Match": etag } });
    expect(again.status).toBe(304);
    expect(again.text).toBe("");
  });

  it("shows a PATCH at once, and a deleted account is 401 at once", async () => {
    const alice = await registerUser();
    await call("GET", "/api/v1/me", { token: alice.accessToken });
    const patched = await call("PATCH", "/api/v1/me", { token: alice.accessToken, body: { displayName: "Alice Renamed" } });
    expect(patched.status).toBe(200);
    const me = await call<{ displayName: string }>("GET", "/api/v1/me", { token: alice.accessToken });
    expect(me.body.displayName).toBe("Alice Renamed");
    await call("DELETE", "/api/v1/me", { token: alice.accessToken, body: { password: alice.password } });
    expect((await call("GET", "/api/v1/me", { token: alice.accessToken })).status).toBe(401);
  });
});
