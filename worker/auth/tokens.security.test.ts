import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { exportSPKI, generateKeyPair, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import type { Config, Env } from "../config.ts";
import { conversations, jobs, messages, refreshTokens, users } from "../db/schema.ts";
import { createApp } from "../app.ts";
import { newId } from "../platform/ids.ts";
import { servicesFor } from "../platform/services.ts";
import { call } from "../testing/http.ts";
import { registerAdmin, registerUser, testDb } from "../testing/users.ts";
import { requireAdmin, requireAuth } from "./middleware.ts";
import { signAccessToken, verifyAccessToken } from "./tokens.ts";

const config: Config = servicesFor(env as unknown as Env).config;
const encoder = new TextEncoder();

function b64url(value: unknown): string {
  return btoa(JSON.stringify(value)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

interface Claims {
  sub: string;
  role?: string;
  iss?: string;
  aud?: string;
  iat?: number;
  exp?: number;
  jti?: string;
}

function claimsFor(userId: string, overrides: Partial<Claims> = {}): Claims {
  const now = Math.floor(Date.now() / 1000);
  return { sub: userId, role: "user", iss: config.JWT_ISSUER, aud: config.JWT_AUDIENCE, iat: now, exp: now + 600, jti: newId(), ...overrides };
}

async function hs256(claims: Claims, secret: string, kid = config.JWT_KEY_ID): Promise<string> {
  return new SignJWT({ ...claims }).setProtectedHeader({ alg: "HS256", typ: "JWT", kid }).sign(encoder.encode(secret));
}

async function meStatus(token: string): Promise<number> {
  return (await call("GET", "/api/v1/me", { token })).status;
}

describe("access tokens that are refused with 401", () => {
  it("accepts a well-formed token (control case)", async () => {
    const alice = await registerUser();

    expect(await meStatus(await hs256(claimsFor(alice.user.id), config.JWT_SECRET))).toBe(200);
  });

  it("refuses an expired token", async () => {
    const alice = await registerUser();
    const past = Math.floor(Date.now() / 1000) - 3600;

    expect(await meStatus(await hs256(claimsFor(alice.user.id, { iat: past - 900, exp: past }), config.JWT_SECRET))).toBe(401);
  });

  it("refuses a token signed with another key", async () => {
    const alice = await registerUser();

    expect(await meStatus(await hs256(claimsFor(alice.user.id), "another-secret-0123456789abcdef"))).toBe(401);
  });

  it("refuses a token with an unknown kid", async () => {
    const alice = await registerUser();

    expect(await meStatus(await hs256(claimsFor(alice.user.id), config.JWT_SECRET, "someone-elses-key"))).toBe(401);
  });

  it('refuses alg "none"', async () => {
    const alice = await registerUser();
    const unsigned = `${b64url({ alg: "none", typ: "JWT", kid: config.JWT_KEY_ID })}.${b64url(claimsFor(alice.user.id))}.`;

    expect(await meStatus(unsigned)).toBe(401);
  });

  it("refuses an RS256 token (algorithm pinned to HS256)", async () => {
    const alice = await registerUser();
    const { privateKey } = await generateKeyPair("RS256");
    const token = await new SignJWT({ ...claimsFor(alice.user.id) }).setProtectedHeader({ alg: "RS256", kid: config.JWT_KEY_ID }).sign(privateKey);

    expect(await meStatus(token)).toBe(401);
  });

  it("refuses an HS256 token keyed with an RSA public key (HS/RS confusion)", async () => {
    const alice = await registerUser();
    const { publicKey } = await generateKeyPair("RS256", { extractable: true });
    const pem = await exportSPKI(publicKey);

    expect(await meStatus(await hs256(claimsFor(alice.user.id), pem))).toBe(401);
  });

  it("refuses a wrong audience", async () => {
    const alice = await registerUser();

    expect(await meStatus(await hs256(claimsFor(alice.user.id, { aud: "another-api" }), config.JWT_SECRET))).toBe(401);
  });

  it("refuses a wrong issuer", async () => {
    const alice = await registerUser();

    expect(await meStatus(await hs256(claimsFor(alice.user.id, { iss: "https://evil.example" }), config.JWT_SECRET))).toBe(401);
  });

  it("refuses a token without jti", async () => {
    const alice = await registerUser();
    const { jti: _, ...claims } = claimsFor(alice.user.id);

    expect(await meStatus(await hs256(claims as Claims, config.JWT_SECRET))).toBe(401);
  });

  it("refuses a tampered payload (role raised to admin, signature kept)", async () => {
    const alice = await registerUser();
    const [header, , signature] = alice.accessToken.split(".");
    const tampered = `${header}.${b64url({ ...claimsFor(alice.user.id), role: "admin" })}.${signature}`;

    expect(await meStatus(alice.accessToken)).toBe(200);
    expect(await meStatus(tampered)).toBe(401);
  });

  it("refuses the token of a deleted user", async () => {
    const alice = await registerUser();
    await call("DELETE", "/api/v1/me", { token: alice.accessToken, body: { password: alice.password } });

    const res = await call<{ error: { code: string } }>("GET", "/api/v1/me", { token: alice.accessToken });

    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("unauthorized");
  });
});

describe("signing-key rotation", () => {
  const rotated: Config = { ...config, JWT_SECRET: "new-secret-0123456789abcdef", JWT_KEY_ID: "k2", JWT_PREVIOUS_SECRET: config.JWT_SECRET, JWT_PREVIOUS_KEY_ID: config.JWT_KEY_ID };

  it("verifies tokens of the previous key after a rotation", async () => {
    const before = await signAccessToken(config, { userId: newId(), role: "user" });

    expect(await verifyAccessToken(rotated, before.token)).toMatchObject({ role: "user" });
  });

  it("signs with the new key id", async () => {
    const after = await signAccessToken(rotated, { userId: newId(), role: "admin" });
    const header = JSON.parse(atob(after.token.split(".")[0] ?? "")) as { kid: string; alg: string };

    expect(header).toMatchObject({ kid: "k2", alg: "HS256" });
    expect(await verifyAccessToken(rotated, after.token)).toMatchObject({ role: "admin" });
  });

  it("stops accepting the previous key once it is dropped", async () => {
    const before = await signAccessToken(config, { userId: newId(), role: "user" });
    const { JWT_PREVIOUS_SECRET: _, ...withoutPrevious } = rotated;

    expect(await verifyAccessToken(withoutPrevious as Config, before.token)).toBeUndefined();
  });
});

describe("requireAdmin", () => {
  const app = createApp();
  app.get("/api/test-only/admin", requireAuth, requireAdmin, (c) => c.json({ ok: true }));
  const get = (token?: string) =>
    app.fetch(new Request("https://assay.test/api/test-only/admin", { headers: token ? { authorization: `Bearer ${token}` } : {} }), env);

  it("answers 401 without a token", async () => {
    expect((await get()).status).toBe(401);
  });

  it("answers 403 forbidden for a non-admin", async () => {
    const alice = await registerUser();
    const res = await get(alice.accessToken);

    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("forbidden");
  });

  it("lets an admin through", async () => {
    const admin = await registerAdmin();

    expect((await get(admin.accessToken)).status).toBe(200);
  });
});

describe("account deletion", () => {
  it("deletes everything the user owns", async () => {
    const alice = await registerUser();
    const db = testDb();
    const conversationId = newId();
    await db.batch([
      db.insert(conversations).values({ id: conversationId, userId: alice.user.id, title: "Mine" }),
      db.insert(messages).values({ id: newId(), conversationId, userId: alice.user.id, role: "user", content: "hi", status: "complete" }),
      db.insert(jobs).values({ id: newId(), userId: alice.user.id, kind: "chat_reply", subjectId: newId() }),
    ]);

    const res = await call("DELETE", "/api/v1/me", { token: alice.accessToken, body: { password: alice.password } });

    expect(res.status).toBe(204);
    const [u, t, c, m, j] = await db.batch([
      db.select().from(users).where(eq(users.id, alice.user.id)),
      db.select().from(refreshTokens).where(eq(refreshTokens.userId, alice.user.id)),
      db.select().from(conversations).where(eq(conversations.userId, alice.user.id)),
      db.select().from(messages).where(eq(messages.userId, alice.user.id)),
      db.select().from(jobs).where(eq(jobs.userId, alice.user.id)),
    ]);
    expect([u.length, t.length, c.length, m.length, j.length]).toEqual([0, 0, 0, 0, 0]);
  });

  it("revokes the deleted user's refresh tokens", async () => {
    const alice = await registerUser();
    await call("DELETE", "/api/v1/me", { token: alice.accessToken, body: { password: alice.password } });

    const res = await call("POST", "/api/v1/auth/refresh", { body: { refreshToken: alice.refreshToken } });

    expect(res.status).toBe(401);
  });
});
