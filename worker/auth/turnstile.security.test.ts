/** Sign-up's bot check (API.md: `turnstileToken`), tried as a bot would: no token, a failing one, a spent one. */
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { TURNSTILE_TEST_KEYS } from "../../local/turnstile/test-keys.ts";
import { users } from "../db/schema.ts";
import type { ErrorBody } from "../errors.ts";
import { call, callWith } from "../testing/http.ts";
import { testDb, TURNSTILE_TOKEN, uniqueEmail } from "../testing/users.ts";

const password = "a sturdy passphrase 42";

async function accountExists(email: string): Promise<boolean> {
  return (await testDb().select({ id: users.id }).from(users).where(eq(users.email, email))).length > 0;
}

function expectBotCheckRefusal(res: { status: number; body: ErrorBody }): void {
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe("validation_failed");
  expect(res.body.error.details?.map((d) => d.path)).toEqual(["turnstileToken"]);
}

describe("POST /api/v1/auth/register: the Turnstile bot check", () => {
  it("refuses a sign-up without a token with 400 at turnstileToken, creating no account", async () => {
    const email = uniqueEmail("bot");
    const res = await call<ErrorBody>("POST", "/api/v1/auth/register", { body: { email, password, displayName: "Bot" } });

    expectBotCheckRefusal(res);
    expect(await accountExists(email)).toBe(false);
  });

  it("refuses an empty token the same way", async () => {
    const email = uniqueEmail("bot");
    const res = await call<ErrorBody>("POST", "/api/v1/auth/register", { body: { email, password, displayName: "Bot", turnstileToken: "" } });

    expectBotCheckRefusal(res);
    expect(await accountExists(email)).toBe(false);
  });

  it.each([
    ["the always-fail secret", TURNSTILE_TEST_KEYS.failSecret],
    ["the token-spent secret", TURNSTILE_TEST_KEYS.spentSecret],
    ["a secret Cloudflare does not know", "0x4AAAAAAAnot-a-real-secret"],
  ])("refuses a token that %s turns down, creating no account", async (_, secret) => {
    const email = uniqueEmail("bot");
    const res = await callWith<ErrorBody>({ TURNSTILE_SECRET_KEY: secret }, "POST", "/api/v1/auth/register", {
      body: { email, password, displayName: "Bot", turnstileToken: TURNSTILE_TOKEN },
    });

    expectBotCheckRefusal(res);
    expect(await accountExists(email)).toBe(false);
  });

  it("creates the account when siteverify passes the token (the always-pass test secret)", async () => {
    const email = uniqueEmail("human");
    const res = await call<{ user: { email: string } }>("POST", "/api/v1/auth/register", {
      body: { email, password, displayName: "Human", turnstileToken: TURNSTILE_TOKEN },
    });

    expect(res.status).toBe(201);
    expect(res.body.user.email).toBe(email);
    expect(await accountExists(email)).toBe(true);
  });

  it("answers 503 unavailable, creating nothing, when siteverify cannot be reached (no bot gets through)", async () => {
    const email = uniqueEmail("bot");
    // Nothing listens on port 9 (discard).
    const res = await callWith<ErrorBody>({ TURNSTILE_VERIFY_URL: "http://127.0.0.1:9/turnstile/v0/siteverify" }, "POST", "/api/v1/auth/register", {
      body: { email, password, displayName: "Bot", turnstileToken: TURNSTILE_TOKEN },
    });

    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe("unavailable");
    expect(await accountExists(email)).toBe(false);
  });

  it("documents turnstileToken as required in the OpenAPI document", async () => {
    const doc = await call<{ components: { schemas: Record<string, { required?: string[]; properties: Record<string, unknown> }> } }>("GET", "/api/openapi.json");
    const register = doc.body.components.schemas.RegisterRequest;

    expect(register?.required).toContain("turnstileToken");
    expect(register?.properties).toHaveProperty("turnstileToken");
  });
});
