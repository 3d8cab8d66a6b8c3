import { describe, expect, it } from "vitest";
import { call } from "../testing/http.ts";
import { registerUser, TURNSTILE_TOKEN, uniqueEmail } from "../testing/users.ts";
import type { ErrorBody } from "../errors.ts";

const password = "a sturdy passphrase 42";

function paths(body: ErrorBody): string[] {
  return (body.error.details ?? []).map((d) => d.path).sort();
}

describe("register validation", () => {
  it("answers 400 validation_failed with one detail per bad field", async () => {
    const res = await call<ErrorBody>("POST", "/api/v1/auth/register", { body: { email: "not-an-email", password: "short", displayName: "", turnstileToken: TURNSTILE_TOKEN } });

    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    expect(paths(res.body)).toEqual(["displayName", "email", "password"]);
  });

  it("answers 400 for missing fields, naming each", async () => {
    const res = await call<ErrorBody>("POST", "/api/v1/auth/register", { body: {} });

    expect(res.status).toBe(400);
    expect(paths(res.body)).toEqual(["displayName", "email", "password", "turnstileToken"]);
  });

  it.each([
    ["7 characters", "abcdefg"],
    ["129 characters", "x".repeat(129)],
    ["a common password", "password123"],
    ["a common password in capitals", "PASSWORD123"],
    ["another common password", "iloveyou2"],
  ])("refuses a password of %s", async (_, bad) => {
    const res = await call<ErrorBody>("POST", "/api/v1/auth/register", { body: { email: uniqueEmail(), password: bad, displayName: "Ada", turnstileToken: TURNSTILE_TOKEN } });

    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    expect(paths(res.body)).toEqual(["password"]);
  });

  it("counts characters, not bytes: 8 emoji are a valid password, 4 are not", async () => {
    const ok = await call("POST", "/api/v1/auth/register", { body: { email: uniqueEmail(), password: "🔑🔒🗝️🛡️🔐🧩🎲🎯", displayName: "Ada", turnstileToken: TURNSTILE_TOKEN } });
    const short = await call<ErrorBody>("POST", "/api/v1/auth/register", { body: { email: uniqueEmail(), password: "🔑🔒🧩🎲", displayName: "Ada", turnstileToken: TURNSTILE_TOKEN } });

    expect(ok.status).toBe(201);
    expect(short.status).toBe(400);
  });

  it("refuses a display name over 80 characters", async () => {
    const res = await call<ErrorBody>("POST", "/api/v1/auth/register", { body: { email: uniqueEmail(), password, displayName: "x".repeat(81), turnstileToken: TURNSTILE_TOKEN } });

    expect(res.status).toBe(400);
    expect(paths(res.body)).toEqual(["displayName"]);
  });

  it("answers 409 conflict for an email that is already registered, in any case", async () => {
    const alice = await registerUser();

    const res = await call<ErrorBody>("POST", "/api/v1/auth/register", { body: { email: alice.email.toUpperCase(), password, displayName: "Eve", turnstileToken: TURNSTILE_TOKEN } });

    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("conflict");
  });

  it("answers 400 invalid_json for a body that is not JSON, with the limit headers", async () => {
    const res = await call<ErrorBody>("POST", "/api/v1/auth/register", { rawBody: "{not json", headers: { "content-type": "application/json" } });

    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_json");
    expect(res.headers.get("ratelimit-limit")).toMatch(/^\d+$/);
  });

  it("answers 415 for a body that is not JSON by content type", async () => {
    const res = await call<ErrorBody>("POST", "/api/v1/auth/register", { rawBody: "email=a", headers: { "content-type": "application/x-www-form-urlencoded" } });

    expect(res.status).toBe(415);
  });
});

describe("login failures", () => {
  it("answers a wrong password and an unknown email with the same 401 body", async () => {
    const alice = await registerUser();

    const wrongPassword = await call<ErrorBody>("POST", "/api/v1/auth/login", { body: { email: alice.email, password: "not the password" } });
    const unknownEmail = await call<ErrorBody>("POST", "/api/v1/auth/login", { body: { email: uniqueEmail(), password: "not the password" } });

    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    const { requestId: _a, ...wrong } = wrongPassword.body.error;
    const { requestId: _b, ...unknown } = unknownEmail.body.error;
    expect(wrong).toEqual(unknown);
    expect(wrong.code).toBe("unauthorized");
    expect(wrongPassword.headers.get("ratelimit-limit")).toMatch(/^\d+$/);
    expect([...wrongPassword.headers.keys()].sort()).toEqual([...unknownEmail.headers.keys()].sort());
  });

  it("answers 400 validation_failed without a password", async () => {
    const res = await call<ErrorBody>("POST", "/api/v1/auth/login", { body: { email: uniqueEmail() } });

    expect(res.status).toBe(400);
    expect(paths(res.body)).toEqual(["password"]);
  });
});

describe("refresh and logout failures", () => {
  it("answers 401 for an unknown refresh token", async () => {
    const res = await call<ErrorBody>("POST", "/api/v1/auth/refresh", { body: { refreshToken: "not-a-real-token" } });

    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("unauthorized");
  });

  it("answers 401 without any refresh token", async () => {
    const res = await call<ErrorBody>("POST", "/api/v1/auth/refresh");

    expect(res.status).toBe(401);
  });

  it("answers 204 to a logout with an unknown token (idempotent)", async () => {
    const res = await call("POST", "/api/v1/auth/logout", { body: { refreshToken: "not-a-real-token" } });

    expect(res.status).toBe(204);
  });
});

describe("/api/v1/me failures", () => {
  it("answers 401 without a token", async () => {
    const res = await call<ErrorBody>("GET", "/api/v1/me");

    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("unauthorized");
  });

  it("answers 401 for a malformed Authorization header", async () => {
    const res = await call<ErrorBody>("GET", "/api/v1/me", { headers: { authorization: "Basic dXNlcjpwYXNz" } });

    expect(res.status).toBe(401);
  });

  it("PATCH with a new password but no current password is 400 naming currentPassword", async () => {
    const alice = await registerUser();

    const res = await call<ErrorBody>("PATCH", "/api/v1/me", { token: alice.accessToken, body: { newPassword: "a brand new passphrase" } });

    expect(res.status).toBe(400);
    expect(paths(res.body)).toEqual(["currentPassword"]);
  });

  it("PATCH with a wrong current password is 401 and changes nothing", async () => {
    const alice = await registerUser();

    const res = await call<ErrorBody>("PATCH", "/api/v1/me", {
      token: alice.accessToken,
      body: { currentPassword: "wrong wrong wrong", newPassword: "a brand new passphrase" },
    });
    const login = await call("POST", "/api/v1/auth/login", { body: { email: alice.email, password: alice.password } });

    expect(res.status).toBe(401);
    expect(login.status).toBe(200);
  });

  it("PATCH refuses a common new password", async () => {
    const alice = await registerUser();

    const res = await call<ErrorBody>("PATCH", "/api/v1/me", { token: alice.accessToken, body: { currentPassword: alice.password, newPassword: "qwertyuiop" } });

    expect(res.status).toBe(400);
    expect(paths(res.body)).toEqual(["newPassword"]);
  });

  it("DELETE with a wrong password is 401 and deletes nothing", async () => {
    const alice = await registerUser();

    const res = await call<ErrorBody>("DELETE", "/api/v1/me", { token: alice.accessToken, body: { password: "wrong wrong wrong" } });
    const me = await call("GET", "/api/v1/me", { token: alice.accessToken });

    expect(res.status).toBe(401);
    expect(me.status).toBe(200);
  });

  it("DELETE without a body is 400", async () => {
    const alice = await registerUser();

    const res = await call<ErrorBody>("DELETE", "/api/v1/me", { token: alice.accessToken, body: {} });

    expect(res.status).toBe(400);
    expect(paths(res.body)).toEqual(["password"]);
  });
});
