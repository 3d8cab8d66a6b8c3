import { describe, expect, it } from "vitest";
import { call, uniqueIp } from "../testing/http.ts";
import { registerUser, TURNSTILE_TOKEN, uniqueEmail, type TestUser } from "../testing/users.ts";
import { authRoutes } from "./routes.ts";

interface SessionBody {
  user: TestUser;
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
}

const password = "a sturdy passphrase 42";

function cookieValue(setCookie: string | null): string | undefined {
  return setCookie?.match(/refresh_token=([^;]*)/)?.[1];
}

describe("POST /api/v1/auth/register", () => {
  it("creates the account and answers 201 with a Session", async () => {
    const email = uniqueEmail();
    const res = await call<SessionBody>("POST", "/api/v1/auth/register", { body: { email, password, displayName: "Ada", turnstileToken: TURNSTILE_TOKEN } });

    expect(res.status).toBe(201);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(res.body.user).toEqual({ id: expect.any(String), email, displayName: "Ada", role: "user", createdAt: expect.any(String) });
    expect(Object.keys(res.body).sort()).toEqual(["accessToken", "accessTokenExpiresAt", "refreshToken", "refreshTokenExpiresAt", "user"]);
    expect(res.text).not.toMatch(/pbkdf2|passwordHash/);
    const accessLifetime = Date.parse(res.body.accessTokenExpiresAt) - Date.now();
    expect(accessLifetime).toBeGreaterThan(14 * 60_000);
    expect(accessLifetime).toBeLessThanOrEqual(15 * 60_000);
    expect(Date.parse(res.body.refreshTokenExpiresAt)).toBeGreaterThan(Date.now() + 86_400_000);
  });

  it("sets the refresh token as an HttpOnly, Secure, SameSite=Strict cookie on /api/v1/auth", async () => {
    const res = await call<SessionBody>("POST", "/api/v1/auth/register", {
      body: { email: uniqueEmail(), password, displayName: "Ada", turnstileToken: TURNSTILE_TOKEN },
    });

    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookieValue(cookie)).toBe(res.body.refreshToken);
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*Secure/i);
    expect(cookie).toMatch(/;\s*SameSite=Strict/i);
    expect(cookie).toMatch(/;\s*Path=\/api\/v1\/auth(;|$)/);
  });

  it("stores the email trimmed and lower-cased", async () => {
    const email = uniqueEmail();
    const res = await call<SessionBody>("POST", "/api/v1/auth/register", {
      body: { email: `  ${email.toUpperCase()} `, password, displayName: "Ada", turnstileToken: TURNSTILE_TOKEN },
    });

    expect(res.status).toBe(201);
    expect(res.body.user.email).toBe(email);
  });

  it("returns the rate-limit headers", async () => {
    const res = await call("POST", "/api/v1/auth/register", { body: { email: uniqueEmail(), password, displayName: "Ada", turnstileToken: TURNSTILE_TOKEN } });

    expect(res.headers.get("ratelimit-limit")).toMatch(/^\d+$/);
    expect(res.headers.get("ratelimit-remaining")).toMatch(/^\d+$/);
    expect(res.headers.get("ratelimit-reset")).toMatch(/^\d+$/);
  });
});

describe("POST /api/v1/auth/login", () => {
  it("answers 200 with a Session for the right email and password", async () => {
    const alice = await registerUser();

    const res = await call<SessionBody>("POST", "/api/v1/auth/login", { body: { email: alice.email, password: alice.password } });

    expect(res.status).toBe(200);
    expect(res.body.user).toEqual(alice.user);
    expect(res.body.refreshToken).not.toBe(alice.refreshToken);
    expect(cookieValue(res.headers.get("set-cookie"))).toBe(res.body.refreshToken);
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("accepts the email in any case and with surrounding spaces", async () => {
    const alice = await registerUser();

    const res = await call("POST", "/api/v1/auth/login", { body: { email: ` ${alice.email.toUpperCase()}  `, password: alice.password } });

    expect(res.status).toBe(200);
  });

  it("returns the rate-limit headers, counting down", async () => {
    const alice = await registerUser();
    const ip = uniqueIp();

    const first = await call("POST", "/api/v1/auth/login", { ip, body: { email: alice.email, password: alice.password } });
    const second = await call("POST", "/api/v1/auth/login", { ip, body: { email: alice.email, password: alice.password } });

    expect(first.headers.get("ratelimit-limit")).toBe("10");
    expect(Number(second.headers.get("ratelimit-remaining"))).toBe(Number(first.headers.get("ratelimit-remaining")) - 1);
    expect(Number(first.headers.get("ratelimit-reset"))).toBeGreaterThan(0);
  });
});

describe("POST /api/v1/auth/refresh", () => {
  it("exchanges the refresh token from the body for a new session", async () => {
    const alice = await registerUser();

    const res = await call<SessionBody>("POST", "/api/v1/auth/refresh", { body: { refreshToken: alice.refreshToken } });

    expect(res.status).toBe(200);
    expect(res.body.user).toEqual(alice.user);
    expect(res.body.refreshToken).not.toBe(alice.refreshToken);
    expect(res.body.accessToken).not.toBe(alice.accessToken);
    expect(cookieValue(res.headers.get("set-cookie"))).toBe(res.body.refreshToken);
    expect(res.headers.get("ratelimit-limit")).toMatch(/^\d+$/);
  });

  it("accepts the refresh cookie instead of a body", async () => {
    const alice = await registerUser();

    const res = await call<SessionBody>("POST", "/api/v1/auth/refresh", { headers: { cookie: `refresh_token=${alice.refreshToken}` } });

    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(alice.user.id);
  });

  it("gives an access token that works", async () => {
    const alice = await registerUser();
    const refreshed = await call<SessionBody>("POST", "/api/v1/auth/refresh", { body: { refreshToken: alice.refreshToken } });

    const me = await call<TestUser>("GET", "/api/v1/me", { token: refreshed.body.accessToken });

    expect(me.status).toBe(200);
    expect(me.body.id).toBe(alice.user.id);
  });
});

describe("POST /api/v1/auth/logout", () => {
  it("answers 204, clears the cookie and revokes the refresh token", async () => {
    const alice = await registerUser();

    const res = await call("POST", "/api/v1/auth/logout", { body: { refreshToken: alice.refreshToken } });
    const after = await call("POST", "/api/v1/auth/refresh", { body: { refreshToken: alice.refreshToken } });

    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expect(res.headers.get("set-cookie")).toMatch(/refresh_token=;.*Max-Age=0/i);
    expect(after.status).toBe(401);
  });

  it("logs out with the cookie", async () => {
    const alice = await registerUser();

    const res = await call("POST", "/api/v1/auth/logout", { headers: { cookie: `refresh_token=${alice.refreshToken}` } });
    const after = await call("POST", "/api/v1/auth/refresh", { body: { refreshToken: alice.refreshToken } });

    expect(res.status).toBe(204);
    expect(after.status).toBe(401);
  });

  it("leaves the user's other logins alone", async () => {
    const alice = await registerUser();
    const other = await call<SessionBody>("POST", "/api/v1/auth/login", { body: { email: alice.email, password: alice.password } });

    await call("POST", "/api/v1/auth/logout", { body: { refreshToken: alice.refreshToken } });
    const res = await call("POST", "/api/v1/auth/refresh", { body: { refreshToken: other.body.refreshToken } });

    expect(res.status).toBe(200);
  });
});

describe("/api/v1/me", () => {
  it("GET answers the user behind the token", async () => {
    const alice = await registerUser({ displayName: "Alice" });

    const res = await call<TestUser>("GET", "/api/v1/me", { token: alice.accessToken });

    expect(res.status).toBe(200);
    expect(res.body).toEqual(alice.user);
    expect(res.body.displayName).toBe("Alice");
    expect(res.headers.get("cache-control")).toBe("private, no-cache");
  });

  it("PATCH changes the display name", async () => {
    const alice = await registerUser();

    const res = await call<TestUser>("PATCH", "/api/v1/me", { token: alice.accessToken, body: { displayName: "  Alice Liddell " } });
    const me = await call<TestUser>("GET", "/api/v1/me", { token: alice.accessToken });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...alice.user, displayName: "Alice Liddell" });
    expect(me.body.displayName).toBe("Alice Liddell");
  });

  it("PATCH changes the password: the new one logs in, the old one does not", async () => {
    const alice = await registerUser();
    const newPassword = "an even sturdier passphrase 43";

    const res = await call("PATCH", "/api/v1/me", { token: alice.accessToken, body: { currentPassword: alice.password, newPassword } });
    const withNew = await call("POST", "/api/v1/auth/login", { body: { email: alice.email, password: newPassword } });
    const withOld = await call("POST", "/api/v1/auth/login", { body: { email: alice.email, password: alice.password } });

    expect(res.status).toBe(200);
    expect(withNew.status).toBe(200);
    expect(withOld.status).toBe(401);
  });

  it("DELETE answers 204 and the account is gone", async () => {
    const alice = await registerUser();

    const res = await call("DELETE", "/api/v1/me", { token: alice.accessToken, body: { password: alice.password } });
    const login = await call("POST", "/api/v1/auth/login", { body: { email: alice.email, password: alice.password } });

    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expect(login.status).toBe(401);
  });

  it("DELETE frees the email for a new account", async () => {
    const alice = await registerUser();
    await call("DELETE", "/api/v1/me", { token: alice.accessToken, body: { password: alice.password } });

    const again = await call("POST", "/api/v1/auth/register", { body: { email: alice.email, password, displayName: "Alice again", turnstileToken: TURNSTILE_TOKEN } });

    expect(again.status).toBe(201);
  });
});

describe("OpenAPI document", () => {
  it("describes every auth route with its statuses", () => {
    const doc = authRoutes.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "auth", version: "test" } });
    const paths = doc.paths ?? {};

    expect(Object.keys(paths["/auth/register"] ?? {})).toEqual(["post"]);
    expect(Object.keys(paths["/auth/login"] ?? {})).toEqual(["post"]);
    expect(Object.keys(paths["/auth/refresh"] ?? {})).toEqual(["post"]);
    expect(Object.keys(paths["/auth/logout"] ?? {})).toEqual(["post"]);
    expect(Object.keys(paths["/me"] ?? {}).sort()).toEqual(["delete", "get", "patch"]);
    expect(Object.keys(paths["/auth/login"]?.post?.responses ?? {}).sort()).toEqual(["200", "400", "401", "413", "415", "429", "503"]);
    expect(paths["/me"]?.get?.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(doc.components?.schemas ?? {})).toEqual(expect.arrayContaining(["User", "Session", "RegisterRequest", "LoginRequest"]));
  });
});
