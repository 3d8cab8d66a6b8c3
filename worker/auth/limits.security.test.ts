import { afterEach, describe, expect, it } from "vitest";
import { clearFaults, setFault } from "../../local/control.ts";
import { baseEnv, callWith, envWith } from "../jobs/testing.ts";
import { ratePolicies } from "../platform/limits.ts";
import { call, scopes, testEnv, uniqueIp } from "../testing/http.ts";
import { registerUser, registrationBody, uniqueEmail, type RegisteredUser } from "../testing/users.ts";
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
      statuses.push((await call("POST", "/api/v1/auth/register", { body: registrationBody({ email }) })).status);
    }

    expect(statuses).toEqual([201, 409, 409, 409, 409, 429]);
  });
});

/** A random IPv6 /64 (documentation prefix) and an address inside it. */
function sixtyFour(): (host: number) => string {
  const hex = () => Math.floor(Math.random() * 0xffff).toString(16);
  const prefix = `2001:db8:${hex()}:${hex()}`;
  return (host) => `${prefix}:${host.toString(16)}:${hex()}:${hex()}:${hex()}`;
}

describe("an attacker signing up from one IPv6 /64", () => {
  it("gets at most the per-IP limit of 14 sign-ups through, each from a different address of the /64", async () => {
    const address = sixtyFour();
    const limit = ratePolicies["auth.register.ip"].limit;

    const statuses: number[] = [];
    for (let i = 0; i < 14; i++) {
      statuses.push((await call("POST", "/api/v1/auth/register", { ip: address(i), body: registrationBody() })).status);
    }

    expect(statuses.filter((s) => s === 201)).toHaveLength(limit);
    expect(statuses.slice(limit)).toEqual(Array(14 - limit).fill(429));
  });

  it("does not slow a sign-up from the next /64", async () => {
    const crowded = sixtyFour();
    for (let i = 0; i < 11; i++) await call("POST", "/api/v1/auth/register", { ip: crowded(i), body: registrationBody() });

    const neighbour = await call("POST", "/api/v1/auth/register", { ip: sixtyFour()(1), body: registrationBody() });

    expect(neighbour.status).toBe(201);
  });
});

describe("an attacker guessing one account's password", () => {
  const wrong = (i: number) => `wrong guess ${i}`;

  it("locks the attacker's address out for that email after 5 failures, even with the right password", async () => {
    const alice = await registerUser();
    const attacker = uniqueIp();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await call("POST", "/api/v1/auth/login", { ip: attacker, body: { email: alice.email, password: wrong(i) } })).status);

    const locked = await call<ErrorBody>("POST", "/api/v1/auth/login", { ip: attacker, body: { email: alice.email, password: alice.password } });

    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe("rate_limited");
    const retryAfter = Number(locked.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(50);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it("cannot lock the owner out: after 12 failures from the attacker's address the owner logs in from theirs", async () => {
    const alice = await registerUser();
    const attacker = uniqueIp();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await call("POST", "/api/v1/auth/login", { ip: attacker, body: { email: alice.email, password: wrong(i) } })).status);

    const owner = await call("POST", "/api/v1/auth/login", { ip: uniqueIp(), body: { email: alice.email, password: alice.password } });

    expect(statuses.slice(0, 5)).toEqual(Array(5).fill(401));
    expect(statuses.slice(5)).toEqual(Array(7).fill(429));
    expect(owner.status).toBe(200);
  });

  it("locks every address of the attacker's /64 at once", async () => {
    const alice = await registerUser();
    const attacker = sixtyFour();
    for (let i = 0; i < 5; i++) await call("POST", "/api/v1/auth/login", { ip: attacker(i), body: { email: alice.email, password: wrong(i) } });

    const sameNetwork = await call("POST", "/api/v1/auth/login", { ip: attacker(99), body: { email: alice.email, password: alice.password } });

    expect(sameNetwork.status).toBe(429);
  });

  it("lets no more than 5 of a parallel burst of 30 guesses reach the password check", async () => {
    const alice = await registerUser();
    const attacker = uniqueIp();

    const burst = await Promise.all(
      Array.from({ length: 30 }, (_, i) => call("POST", "/api/v1/auth/login", { ip: attacker, body: { email: alice.email, password: wrong(i) } })),
    );

    const checked = burst.filter((r) => r.status === 401).length;
    expect(checked).toBeLessThanOrEqual(5);
    expect(checked + burst.filter((r) => r.status === 429).length).toBe(30);
  });

  it("locks unknown emails out the same way (no enumeration through the lockout)", async () => {
    const email = uniqueEmail("nobody");
    const attacker = uniqueIp();
    for (let i = 0; i < 5; i++) await call("POST", "/api/v1/auth/login", { ip: attacker, body: { email, password: wrong(i) } });

    const locked = await call("POST", "/api/v1/auth/login", { ip: attacker, body: { email, password: "anything at all" } });

    expect(locked.status).toBe(429);
  });

  it("forgets earlier failures after a successful login", async () => {
    const alice = await registerUser();
    const ip = uniqueIp();
    for (let i = 0; i < 4; i++) await call("POST", "/api/v1/auth/login", { ip, body: { email: alice.email, password: wrong(i) } });
    expect((await call("POST", "/api/v1/auth/login", { ip, body: { email: alice.email, password: alice.password } })).status).toBe(200);

    for (let i = 0; i < 4; i++) await call("POST", "/api/v1/auth/login", { ip, body: { email: alice.email, password: wrong(i) } });

    expect((await call("POST", "/api/v1/auth/login", { ip, body: { email: alice.email, password: alice.password } })).status).toBe(200);
  });

  it("does not count right passwords as failures: many logins in a row from one address all succeed", async () => {
    const alice = await registerUser();
    const ip = uniqueIp();
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      statuses.push((await callWith(baseEnv, "POST", "/api/v1/auth/login", { ip, body: { email: alice.email, password: alice.password } })).status);
    }

    expect(statuses).toEqual(Array(8).fill(200));
  });
});

describe("a distributed attack on one email", () => {
  const perEmail = () => envWith({ RATE_LIMITS: JSON.stringify({ "auth.login.email": { limit: 6 } }) });

  it("is slowed by the per-email limit across addresses, while the owner still logs in from an address they used before", async () => {
    const target = perEmail();
    const alice = await registerUser();
    const home = uniqueIp();
    expect((await callWith(target, "POST", "/api/v1/auth/login", { ip: home, body: { email: alice.email, password: alice.password } })).status).toBe(200);

    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      statuses.push((await callWith(target, "POST", "/api/v1/auth/login", { ip: uniqueIp(), body: { email: alice.email, password: `botnet ${i}` } })).status);
    }
    const owner = await callWith(target, "POST", "/api/v1/auth/login", { ip: home, body: { email: alice.email, password: alice.password } });

    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    expect(owner.status).toBe(200);
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

    const register = await call("POST", "/api/v1/auth/register", { body: registrationBody() });
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

describe("a stolen access token guessing the password on /me", () => {
  const change = (user: RegisteredUser, currentPassword: string) =>
    call<ErrorBody>("PATCH", "/api/v1/me", { token: user.accessToken, body: { currentPassword, newPassword: "a brand new passphrase 7" } });

  it("gets 429 with Retry-After within 25 wrong current passwords on PATCH /me, then even the right one is refused", async () => {
    const alice = await registerUser();
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await change(alice, `guess ${i}`)).status);

    const right = await change(alice, alice.password);

    expect(statuses.slice(0, 5)).toEqual(Array(5).fill(401));
    expect(statuses.slice(5)).toEqual(Array(20).fill(429));
    expect(right.status).toBe(429);
    expect(right.body.error.code).toBe("rate_limited");
    expect(Number(right.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("shares the lock between PATCH /me and DELETE /me, and the account survives", async () => {
    const alice = await registerUser();
    for (let i = 0; i < 5; i++) await change(alice, `guess ${i}`);

    const deletion = await call<ErrorBody>("DELETE", "/api/v1/me", { token: alice.accessToken, body: { password: alice.password } });

    expect(deletion.status).toBe(429);
    expect((await call("GET", "/api/v1/me", { token: alice.accessToken })).status).toBe(200);
  });

  it("lets no more than 5 of a parallel burst of 20 wrong passwords reach the check", async () => {
    const alice = await registerUser();

    const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => change(alice, `guess ${i}`)));

    expect(burst.filter((r) => r.status === 401).length).toBeLessThanOrEqual(5);
    expect(burst.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(15);
  });

  it("forgets earlier wrong passwords once the right one is given", async () => {
    const alice = await registerUser();
    for (let i = 0; i < 4; i++) await change(alice, `guess ${i}`);
    const changed = await change(alice, alice.password);
    expect(changed.status).toBe(200);
    const again = { ...alice, password: "a brand new passphrase 7" };

    for (let i = 0; i < 4; i++) await change(again, `guess ${i}`);

    expect((await call("PATCH", "/api/v1/me", { token: alice.accessToken, body: { currentPassword: again.password, newPassword: "yet another passphrase 8" } })).status).toBe(200);
  });

  it("does not count a display-name change (no password checked) towards the lock", async () => {
    const alice = await registerUser();
    for (let i = 0; i < 4; i++) await change(alice, `guess ${i}`);
    for (let i = 0; i < 3; i++) await call("PATCH", "/api/v1/me", { token: alice.accessToken, body: { displayName: `Alice ${i}`, currentPassword: "not checked" } });

    expect((await change(alice, alice.password)).status).toBe(200);
  });

  it("limits PATCH and DELETE /me per user, with the limit headers", async () => {
    const strict = envWith({ RATE_LIMITS: JSON.stringify({ "account.update.user": { limit: 2 } }) });
    const alice = await registerUser();
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof callWith<ErrorBody>>> | undefined;
    for (let i = 0; i < 3; i++) {
      last = await callWith<ErrorBody>(strict, "PATCH", "/api/v1/me", { token: alice.accessToken, body: { displayName: `A${i}` } });
      statuses.push(last.status);
    }

    expect(statuses).toEqual([200, 200, 429]);
    expect(last?.headers.get("ratelimit-limit")).toBe("2");
    expect(Number(last?.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await callWith(strict, "DELETE", "/api/v1/me", { token: alice.accessToken, body: { password: alice.password } })).status).toBe(429);
  });
});
