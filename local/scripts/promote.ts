/**
 * `npm run user:promote -- <email>`: makes an existing user an admin, straight in the database
 * (Neon over HTTP; DATABASE_URL and, for the local stand-in, NEON_FETCH_ENDPOINT, from the
 * environment or .data/dev.vars). No HTTP route grants the role. The new role is in the user's tokens
 * from their next sign-in (or refresh).
 *
 * `npm run dev` calls `ensureDevAdmin` to create the development admin from
 * ADMIN_EMAIL / ADMIN_PASSWORD.
 */
import { pathToFileURL } from "node:url";
import { neon } from "@neondatabase/serverless";
import { eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/neon-http";
import { users } from "../../worker/db/schema.ts";
import { TURNSTILE_TEST_KEYS } from "../turnstile/server.ts";

export type PromoteResult = "promoted" | "already-admin" | "not-found";

/** Gives the user with `email` (case-insensitive) the admin role, in one round trip. */
export async function promoteUser(databaseUrl: string, email: string): Promise<PromoteResult> {
  const db = drizzle({ client: neon(databaseUrl) });
  const normalized = email.trim().toLowerCase();
  const [before] = await db.batch([
    db.select({ role: users.role }).from(users).where(eq(users.email, normalized)),
    db.update(users).set({ role: "admin", updatedAt: sql`now()` }).where(eq(users.email, normalized)),
  ]);
  const previous = before[0]?.role;
  if (previous === undefined) return "not-found";
  return previous === "admin" ? "already-admin" : "promoted";
}

/**
 * Development only: makes `email` an admin, registering it first through the running API (so the
 * password is hashed exactly as sign-in expects) when it doesn't exist yet. A restart of the dev
 * stack finds the account and registers nothing, so it never spends the register rate limit.
 */
export async function ensureDevAdmin(apiBaseUrl: string, email: string, password: string, databaseUrl: string): Promise<void> {
  if ((await promoteUser(databaseUrl, email)) !== "not-found") {
    // The account predates this run (kept data): say so if its password is no longer ADMIN_PASSWORD.
    const login = await fetch(`${apiBaseUrl}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password }),
    });
    if (login.status === 401) {
      console.warn(`[dev] ${email} already exists with another password than ADMIN_PASSWORD; delete .data/ (or that user) to recreate it`);
    }
    return;
  }
  const response = await fetch(`${apiBaseUrl}/api/v1/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    // The development stack runs Turnstile's always-pass test keys, which accept the dummy token.
    body: JSON.stringify({ email, password, displayName: "Admin", turnstileToken: TURNSTILE_TEST_KEYS.dummyToken }),
  });
  if (response.status !== 201 && response.status !== 409) {
    throw new Error(`Registering the development admin failed: ${response.status} ${await response.text()}`);
  }
  const result = await promoteUser(databaseUrl, email);
  if (result === "not-found") throw new Error(`The development admin ${email} was not created`);
}

async function main(): Promise<void> {
  const email = process.argv[2];
  if (!email || email.startsWith("-")) {
    console.error("usage: npm run user:promote -- <email>");
    process.exit(2);
  }
  const { databaseUrlFromEnv } = await import("./neon-env.ts");
  const result = await promoteUser(databaseUrlFromEnv(), email);
  const messages: Record<PromoteResult, string> = {
    promoted: `${email} is now an admin (effective from their next sign-in)`,
    "already-admin": `${email} was already an admin`,
    "not-found": `No user with email ${email}: register first, then promote`,
  };
  console.log(messages[result]);
  if (result === "not-found") process.exit(1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
