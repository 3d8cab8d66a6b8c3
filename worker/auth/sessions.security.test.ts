import { env } from "cloudflare:workers";
import { and, eq, isNull, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Env } from "../config.ts";
import { refreshTokens } from "../db/schema.ts";
import { servicesFor } from "../platform/services.ts";
import { call } from "../testing/http.ts";
import { registerUser, testDb, type TestUser } from "../testing/users.ts";
import { ApiError } from "../errors.ts";
import { deleteAccount, login as signIn, logout as signOut, refresh as rotate, updateProfile } from "./service.ts";
import { hashRefreshToken, sealSuccessor, unsealSuccessor } from "./tokens.ts";

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

/** Tokens of the user that a refresh would still accept (unspent, unrevoked, unexpired). */
async function liveTokens(userId: string): Promise<number> {
  const rows = await testDb()
    .select({ id: refreshTokens.id })
    .from(refreshTokens)
    .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt), isNull(refreshTokens.spentAt), sql`${refreshTokens.expiresAt} > now()`));
  return rows.length;
}

const services = () => servicesFor(env as unknown as Env);

/** A refresh as the route makes it, through the service: the new refresh token, or "refused" (401). */
const rotateOrRefuse = (token: string) =>
  rotate(services(), token).then(
    (session) => session.refreshToken,
    (err: unknown) => {
      if (err instanceof ApiError && err.code === "unauthorized") return "refused";
      throw err;
    },
  );

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

  it("answers a replay within the grace window with the successor already issued, never a second live token", async () => {
    const alice = await registerUser();

    const a = await refresh(alice.refreshToken);
    const b = await refresh(alice.refreshToken);

    expect([a.status, b.status]).toEqual([200, 200]);
    expect(b.body.refreshToken).toBe(a.body.refreshToken);
    expect(await liveTokens(alice.user.id)).toBe(1);
    expect((await refresh(a.body.refreshToken)).status).toBe(200);
  });

  it("revokes the family when a token is replayed after its successor was itself used, even within the grace window", async () => {
    const alice = await registerUser();
    const child = await refresh(alice.refreshToken);
    const grandchild = await refresh(child.body.refreshToken);

    const replay = await refresh(alice.refreshToken);

    expect(replay.status).toBe(401);
    expect((await refresh(grandchild.body.refreshToken)).status).toBe(401);
    expect(await liveTokens(alice.user.id)).toBe(0);
  });

  it("does not fork when two refreshes of one token race in the database", async () => {
    const alice = await registerUser();
    const services = servicesFor(env as unknown as Env);

    const [a, b] = await Promise.all([rotate(services, alice.refreshToken), rotate(services, alice.refreshToken)]);

    expect(b.refreshToken).toBe(a.refreshToken);
    expect(await liveTokens(alice.user.id)).toBe(1);
  });

  it("does not fork under 20 concurrent refreshes of one token: each answer carries the same token or is 401", async () => {
    const alice = await registerUser();

    const answers = await Promise.all(Array.from({ length: 20 }, () => rotateOrRefuse(alice.refreshToken)));

    const issued = new Set(answers.filter((a) => a !== "refused"));
    expect(issued.size).toBe(1);
    expect(await liveTokens(alice.user.id)).toBe(1);
    expect((await refresh([...issued][0] ?? "")).status).toBe(200);
  });

  it("does not hand the successor to a replay of another token", async () => {
    const alice = await registerUser();
    const child = await refresh(alice.refreshToken);
    const seal = await sealSuccessor(alice.refreshToken, child.body.refreshToken);

    expect(await unsealSuccessor(alice.refreshToken, seal)).toBe(child.body.refreshToken);
    expect(await unsealSuccessor(child.body.refreshToken, seal)).not.toBe(child.body.refreshToken);
    expect(await unsealSuccessor(alice.refreshToken, "not a seal")).toBeUndefined();
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

/**
 * The races run through the services (the same code the routes call) so that nothing but the
 * database decides the order: through HTTP, the embedded Upstash stand-in can time a limiter out
 * under 50 concurrent requests, or 20 concurrent password hashes can starve it (503), which says
 * nothing about the tokens.
 */
describe("a refresh racing a revocation never leaves a live token", () => {
  it("50 concurrent refreshes racing a logout", async () => {
    const alice = await registerUser();

    const [answers] = await Promise.all([
      Promise.all(Array.from({ length: 50 }, () => rotateOrRefuse(alice.refreshToken))),
      signOut(services(), alice.refreshToken),
    ]);

    expect(new Set(answers.filter((a) => a !== "refused")).size).toBeLessThanOrEqual(1);
    expect(await liveTokens(alice.user.id)).toBe(0);
    for (const issued of answers.filter((a) => a !== "refused")) expect((await refresh(issued)).status).toBe(401);
  });

  it("30 logins of one user, each refreshed while it is logged out", async () => {
    const alice = await registerUser();
    const sessions = await Promise.all(Array.from({ length: 30 }, () => signIn(services(), alice.email, alice.password)));
    await signOut(services(), alice.refreshToken);

    await Promise.all(
      sessions.flatMap((session, i) => {
        const token = session?.refreshToken ?? "";
        return i % 2 === 0 ? [rotateOrRefuse(token), signOut(services(), token)] : [signOut(services(), token), rotateOrRefuse(token)];
      }),
    );

    expect(await liveTokens(alice.user.id)).toBe(0);
  });

  it("a chain of refreshes racing a logout of its first token", async () => {
    const alice = await registerUser();
    const child = await refresh(alice.refreshToken);

    await Promise.all([...Array.from({ length: 10 }, () => rotateOrRefuse(child.body.refreshToken)), signOut(services(), alice.refreshToken)]);

    expect(await liveTokens(alice.user.id)).toBe(0);
  });

  it("20 concurrent refreshes racing a password change", async () => {
    const alice = await registerUser();

    const [, changed] = await Promise.all([
      Promise.all(Array.from({ length: 20 }, () => rotateOrRefuse(alice.refreshToken))),
      updateProfile(services(), alice.user.id, { currentPassword: alice.password, newPassword: "a racing new passphrase" }),
    ]);

    expect(changed.id).toBe(alice.user.id);
    expect(await liveTokens(alice.user.id)).toBe(0);
  });

  it("20 concurrent logins with the old password racing a password change", async () => {
    const alice = await registerUser();

    const [, changed] = await Promise.all([
      Promise.all(Array.from({ length: 20 }, () => signIn(services(), alice.email, alice.password))),
      updateProfile(services(), alice.user.id, { currentPassword: alice.password, newPassword: "a racing new passphrase" }),
    ]);

    expect(changed.id).toBe(alice.user.id);
    expect(await liveTokens(alice.user.id)).toBe(0);
  });

  it("20 concurrent refreshes racing a reuse of a spent token", async () => {
    const alice = await registerUser();
    const child = await refresh(alice.refreshToken);
    await ageSpentToken(alice.refreshToken);

    await Promise.all([...Array.from({ length: 20 }, () => rotateOrRefuse(child.body.refreshToken)), rotateOrRefuse(alice.refreshToken)]);

    expect(await liveTokens(alice.user.id)).toBe(0);
  });

  it("20 concurrent refreshes racing the account's deletion", async () => {
    const alice = await registerUser();

    await Promise.all([
      Promise.all(Array.from({ length: 20 }, () => rotateOrRefuse(alice.refreshToken))),
      deleteAccount(services(), alice.user.id, alice.password),
    ]);

    const rows = await testDb().select().from(refreshTokens).where(eq(refreshTokens.userId, alice.user.id));
    expect(rows).toHaveLength(0);
  });
});
