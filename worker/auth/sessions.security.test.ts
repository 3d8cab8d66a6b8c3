import { env } from "cloudflare:workers";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Env } from "../config.ts";
import { refreshTokens } from "../db/schema.ts";
import { servicesFor } from "../platform/services.ts";
import { call } from "../testing/http.ts";
import { registerUser, testDb, type TestUser } from "../testing/users.ts";
import { refresh as rotate } from "./service.ts";
import { hashRefreshToken } from "./tokens.ts";

interface SessionBody {
  user: TestUser;
  accessToken: string;
  refreshToken: string;
}

const refresh = (refreshToken: string) => call<SessionBody>("POST", "/api/v1/auth/refresh", { body: { refreshToken } });

/** Moves a spent token's spending time back past the reuse grace window (as if a minute passed). */
async function ageSpentToken(refreshToken: string): Promise<void> {
  await testDb()
    .update(refreshTokens)
    .set({ spentAt: sql`${refreshTokens.spentAt} - interval '1 minute'` })
    .where(eq(refreshTokens.tokenHash, await hashRefreshToken(refreshToken)));
}

describe("refresh token rotation", () => {
  it("spends the old token: a chain of refreshes each answers a new token", async () => {
    const alice = await registerUser();

    const first = await refresh(alice.refreshToken);
    const second = await refresh(first.body.refreshToken);
    const third = await refresh(second.body.refreshToken);

    expect([first.status, second.status, third.status]).toEqual([200, 200, 200]);
    expect(new Set([alice.refreshToken, first.body.refreshToken, second.body.refreshToken, third.body.refreshToken]).size).toBe(4);
  });

  it("stores refresh tokens only as SHA-256 hashes", async () => {
    const alice = await registerUser();

    const rows = await testDb().select().from(refreshTokens).where(eq(refreshTokens.userId, alice.user.id));

    expect(rows).toHaveLength(1);
    expect(rows[0]?.tokenHash).toBe(await hashRefreshToken(alice.refreshToken));
    expect(JSON.stringify(rows)).not.toContain(alice.refreshToken);
  });

  it("makes 256-bit random tokens", async () => {
    const alice = await registerUser();

    expect(alice.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("accepts a spent token again within the grace window, forking the family", async () => {
    const alice = await registerUser();

    const a = await refresh(alice.refreshToken);
    const b = await refresh(alice.refreshToken);

    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.refreshToken).not.toBe(b.body.refreshToken);
    expect((await refresh(a.body.refreshToken)).status).toBe(200);
    expect((await refresh(b.body.refreshToken)).status).toBe(200);
  });

  it("rotates correctly when two refreshes of one token race in the database", async () => {
    const alice = await registerUser();
    const services = servicesFor(env as unknown as Env);

    const [a, b] = await Promise.all([rotate(services, alice.refreshToken), rotate(services, alice.refreshToken)]);

    expect(a.refreshToken).not.toBe(b.refreshToken);
    expect((await refresh(a.refreshToken)).status).toBe(200);
    expect((await refresh(b.refreshToken)).status).toBe(200);
  });

  it("lets two concurrent refreshes of one token both succeed (two tabs refreshing at once)", async () => {
    const alice = await registerUser();

    const [a, b] = await Promise.all([refresh(alice.refreshToken), refresh(alice.refreshToken)]);

    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.refreshToken).not.toBe(b.body.refreshToken);
    const [afterA, afterB] = await Promise.all([refresh(a.body.refreshToken), refresh(b.body.refreshToken)]);
    expect([afterA.status, afterB.status]).toEqual([200, 200]);
  });

  it("revokes the whole family when a spent token is reused after the grace window", async () => {
    const alice = await registerUser();
    const child = await refresh(alice.refreshToken);
    const grandchild = await refresh(child.body.refreshToken);
    await ageSpentToken(alice.refreshToken);

    const replay = await refresh(alice.refreshToken);
    const descendant = await refresh(grandchild.body.refreshToken);

    expect(replay.status).toBe(401);
    expect(descendant.status).toBe(401);
  });

  it("leaves the user's other logins alone when one family is revoked", async () => {
    const alice = await registerUser();
    const otherLogin = await call<SessionBody>("POST", "/api/v1/auth/login", { body: { email: alice.email, password: alice.password } });
    await refresh(alice.refreshToken);
    await ageSpentToken(alice.refreshToken);

    await refresh(alice.refreshToken);

    expect((await refresh(otherLogin.body.refreshToken)).status).toBe(200);
  });

  it("refuses a token past its idle expiry", async () => {
    const alice = await registerUser();
    await testDb()
      .update(refreshTokens)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(refreshTokens.tokenHash, await hashRefreshToken(alice.refreshToken)));

    expect((await refresh(alice.refreshToken)).status).toBe(401);
  });

  it("refuses a token past its family's absolute expiry, and never extends it", async () => {
    const alice = await registerUser();
    const first = await refresh(alice.refreshToken);
    const [row] = await testDb().select().from(refreshTokens).where(eq(refreshTokens.tokenHash, await hashRefreshToken(first.body.refreshToken)));
    expect(row && row.expiresAt.getTime()).toBeLessThanOrEqual(row?.familyExpiresAt.getTime() ?? 0);

    await testDb()
      .update(refreshTokens)
      .set({ familyExpiresAt: sql`now() - interval '1 second'` })
      .where(eq(refreshTokens.userId, alice.user.id));

    expect((await refresh(first.body.refreshToken)).status).toBe(401);
  });
});

describe("password change", () => {
  it("revokes every refresh token of the user", async () => {
    const alice = await registerUser();
    const otherDevice = await call<SessionBody>("POST", "/api/v1/auth/login", { body: { email: alice.email, password: alice.password } });

    const change = await call("PATCH", "/api/v1/me", {
      token: alice.accessToken,
      body: { currentPassword: alice.password, newPassword: "a completely new passphrase" },
    });

    expect(change.status).toBe(200);
    expect((await refresh(alice.refreshToken)).status).toBe(401);
    expect((await refresh(otherDevice.body.refreshToken)).status).toBe(401);
  });
});
