import { afterEach, describe, expect, it } from "vitest";
import { clearFaults, setFault } from "../../local/control.ts";
import { lockoutPolicies, lockSeconds } from "../platform/limits.ts";
import { call, scopes, testEnv, uniqueIp } from "../testing/http.ts";
import { registerUser, TURNSTILE_TOKEN, uniqueEmail } from "../testing/users.ts";
import type { ErrorBody } from "../errors.ts";

afterEach(async () => {
  await clearFaults(testEnv.STANDIN_UPSTASH, scopes.upstash);
});

describe("login rate limits", () => {
  it("answers the 11th login attempt from one IP within the window with 429 and Retry-After", async () => {
    const alice = await registerUser();
    const ip = uniqueIp();
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      statuses.push((await call("POST", "/api/v1/auth/login", { ip, body: { email: alice.email, password: alice.password } })).status);
    }

    const eleventh = await call<ErrorBody>("POST", "/api/v1/auth/login", { ip, body: { email: alice.email, password: alice.password } });

    expect(statuses).toEqual(Array(10).fill(200));
    expect(eleventh.status).toBe(429);
    expect(eleventh.body.error.code).toBe("rate_limited");
    expect(Number(eleventh.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(eleventh.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    expect(eleventh.headers.get("ratelimit-remaining")).toBe("0");
    expect(eleventh.headers.get("ratelimit-limit")).toBe("10");
  });

  it("limits register per email too, whatever the IP", async () => {
    const email = uniqueEmail();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await call("POST", "/api/v1/auth/register", { body: { email, password: "a sturdy passphrase 42", displayName: "A", turnstileToken: TURNSTILE_TOKEN } })).status);
    }

    expect(statuses).toEqual([201, 409, 409, 409, 409, 429]);
  });

  it("doubles the lock with each further failure, up to an hour", () => {
    const policy = lockoutPolicies["auth.login.failures"];

    expect([4, 5, 6, 7, 8, 20].map((failures) => lockSeconds(policy, failures))).toEqual([0, 60, 120, 240, 480, 3600]);
  });

  it("locks an email out after 5 failed logins, even for the right password, with an escalating Retry-After", async () => {
    const alice = await registerUser();
    for (let i = 0; i < 5; i++) {
      const res = await call("POST", "/api/v1/auth/login", { body: { email: alice.email, password: `wrong ${i}` } });
      expect(res.status).toBe(401);
    }

    const locked = await call<ErrorBody>("POST", "/api/v1/auth/login", { body: { email: alice.email, password: alice.password } });

    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe("rate_limited");
    const retryAfter = Number(locked.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(50);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it("locks unknown emails out the same way (no enumeration through the lockout)", async () => {
    const email = uniqueEmail("nobody");
    for (let i = 0; i < 5; i++) await call("POST", "/api/v1/auth/login", { body: { email, password: `wrong ${i}` } });

    const locked = await call("POST", "/api/v1/auth/login", { body: { email, password: "anything at all" } });

    expect(locked.status).toBe(429);
  });

  it("forgets earlier failures after a successful login", async () => {
    const alice = await registerUser();
    for (let i = 0; i < 4; i++) await call("POST", "/api/v1/auth/login", { body: { email: alice.email, password: `wrong ${i}` } });
    expect((await call("POST", "/api/v1/auth/login", { body: { email: alice.email, password: alice.password } })).status).toBe(200);

    for (let i = 0; i < 4; i++) await call("POST", "/api/v1/auth/login", { body: { email: alice.email, password: `wrong ${i}` } });

    expect((await call("POST", "/api/v1/auth/login", { body: { email: alice.email, password: alice.password } })).status).toBe(200);
  });
});

describe("round trips", () => {
  function roundTrips(serverTiming: string | null, name: "db" | "cache"): number {
    const match = new RegExp(`${name};[^,]*desc="[^"]*?(\\d+) round trips"`).exec(serverTiming ?? "");
    return Number(match?.[1]);
  }

  it("a login costs one Upstash round trip (limits and lockout together) and two database round trips", async () => {
    const alice = await registerUser();
    await call("POST", "/api/v1/auth/login", { body: { email: alice.email, password: alice.password } });

    const res = await call("POST", "/api/v1/auth/login", { body: { email: alice.email, password: alice.password } });

    expect(res.status).toBe(200);
    expect(roundTrips(res.headers.get("server-timing"), "cache")).toBe(1);
    expect(roundTrips(res.headers.get("server-timing"), "db")).toBe(2);
  });

  it("a refresh costs one Upstash and one database round trip", async () => {
    const alice = await registerUser();
    await call("POST", "/api/v1/auth/refresh", { body: { refreshToken: "warm-up" } });

    const res = await call("POST", "/api/v1/auth/refresh", { body: { refreshToken: alice.refreshToken } });

    expect(res.status).toBe(200);
    expect(roundTrips(res.headers.get("server-timing"), "cache")).toBe(1);
    expect(roundTrips(res.headers.get("server-timing"), "db")).toBe(1);
  });
});

describe("failing closed when Upstash is unavailable", () => {
  it("answers login with 503 unavailable and Retry-After while Upstash is down", async () => {
    const alice = await registerUser();
    await setFault(testEnv.STANDIN_UPSTASH, { scope: scopes.upstash, down: true });

    const res = await call<ErrorBody>("POST", "/api/v1/auth/login", { body: { email: alice.email, password: alice.password } });

    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe("unavailable");
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("answers register and refresh with 503 too", async () => {
    const alice = await registerUser();
    await setFault(testEnv.STANDIN_UPSTASH, { scope: scopes.upstash, down: true });

    const register = await call("POST", "/api/v1/auth/register", { body: { email: uniqueEmail(), password: "a sturdy passphrase 42", displayName: "A", turnstileToken: TURNSTILE_TOKEN } });
    const refresh = await call("POST", "/api/v1/auth/refresh", { body: { refreshToken: alice.refreshToken } });

    expect(register.status).toBe(503);
    expect(refresh.status).toBe(503);
  });

  it("answers 503 when the limiter is slower than its timeout, never letting the request through", async () => {
    const alice = await registerUser();
    await setFault(testEnv.STANDIN_UPSTASH, { scope: scopes.upstash, latencyMs: 4_000 });

    const res = await call("POST", "/api/v1/auth/login", { body: { email: alice.email, password: alice.password } });

    expect(res.status).toBe(503);
  });

  it("works again once Upstash is back", async () => {
    const alice = await registerUser();
    await setFault(testEnv.STANDIN_UPSTASH, { scope: scopes.upstash, down: true });
    await call("POST", "/api/v1/auth/login", { body: { email: alice.email, password: alice.password } });
    await clearFaults(testEnv.STANDIN_UPSTASH, scopes.upstash);

    const res = await call("POST", "/api/v1/auth/login", { body: { email: alice.email, password: alice.password } });

    expect(res.status).toBe(200);
  });
});
