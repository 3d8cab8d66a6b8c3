/**
 * Test helpers for accounts: real users made through the real register route, and admins made
 * the way production makes them (a database update; there is no HTTP route that makes an admin).
 */
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import type { Env } from "../config.ts";
import { users } from "../db/schema.ts";
import type { Db } from "../platform/db.ts";
import { servicesFor } from "../platform/services.ts";
import { TURNSTILE_TEST_KEYS } from "../../local/turnstile/test-keys.ts";
import { call, uniqueIp } from "./http.ts";

/** What the sign-up widget yields under the test sitekey; the tests' always-pass secret accepts it. */
export const TURNSTILE_TOKEN = TURNSTILE_TEST_KEYS.dummyToken;

export interface TestUser {
  id: string;
  email: string;
  displayName: string;
  role: "user" | "admin";
  createdAt: string;
}

export interface RegisteredUser {
  user: TestUser;
  accessToken: string;
  refreshToken: string;
  email: string;
  password: string;
}

export interface NewUserOptions {
  email?: string;
  password?: string;
  displayName?: string;
  ip?: string;
}

interface SessionBody {
  user: TestUser;
  accessToken: string;
  refreshToken: string;
}

/** The body of `POST /auth/register`, every field the contract asks for filled in. */
export interface RegistrationBody {
  email: string;
  password: string;
  displayName: string;
  turnstileToken: string;
}

let counter = 0;

/** A unique address every call (unique across test files and runs too). */
export function uniqueEmail(label = "user"): string {
  counter += 1;
  return `${label}.${Date.now().toString(36)}.${counter}.${crypto.randomUUID().slice(0, 8)}@example.test`;
}

/**
 * A register body, for tests that call the route themselves (the one place that knows its fields).
 *
 * @example
 * await call("POST", "/api/v1/auth/register", { body: registrationBody({ email }) });
 */
export function registrationBody(options: Omit<NewUserOptions, "ip"> = {}): RegistrationBody {
  return {
    email: options.email ?? uniqueEmail(),
    password: options.password ?? `Tr0ub4dor&3-${crypto.randomUUID()}`,
    displayName: options.displayName ?? "Test User",
    turnstileToken: TURNSTILE_TOKEN,
  };
}

/**
 * Registers a new user through `POST /api/v1/auth/register` and returns its session.
 *
 * @example
 * const alice = await registerUser();
 * await call("GET", "/api/v1/me", { token: alice.accessToken });
 */
export async function registerUser(options: NewUserOptions = {}): Promise<RegisteredUser> {
  const body = registrationBody(options);
  const { email, password } = body;
  const res = await call<SessionBody>("POST", "/api/v1/auth/register", { body, ip: options.ip ?? uniqueIp() });
  if (res.status !== 201) throw new Error(`registerUser: expected 201, got ${res.status}: ${res.text}`);
  return { user: res.body.user, accessToken: res.body.accessToken, refreshToken: res.body.refreshToken, email, password };
}

/**
 * Two users, registered one after the other: one who owns what a test arranges, and another who
 * must not reach it.
 *
 * @example
 * beforeAll(async () => { [alice, bob] = await registerPair(); });
 */
export async function registerPair(): Promise<[RegisteredUser, RegisteredUser]> {
  const first = await registerUser();
  return [first, await registerUser()];
}

/** The project's database (the stand-in), for arranging and inspecting rows in tests. */
export function testDb(): Db {
  return servicesFor(env as unknown as Env).db.primary;
}

/** Promotes a user to admin in the database (as `npm run user:promote` does). */
export async function makeAdmin(userId: string): Promise<void> {
  await testDb().update(users).set({ role: "admin" }).where(eq(users.id, userId));
}

/**
 * Registers a user, promotes them and logs in again, so the access token carries `role: "admin"`.
 *
 * @example
 * const admin = await registerAdmin();
 * await call("POST", "/api/v1/templates", { token: admin.accessToken, body: template });
 */
export async function registerAdmin(options: NewUserOptions = {}): Promise<RegisteredUser> {
  const registered = await registerUser(options);
  await makeAdmin(registered.user.id);
  const res = await call<SessionBody>("POST", "/api/v1/auth/login", {
    body: { email: registered.email, password: registered.password },
    ip: options.ip ?? uniqueIp(),
  });
  if (res.status !== 200) throw new Error(`registerAdmin: login expected 200, got ${res.status}: ${res.text}`);
  return { ...registered, user: res.body.user, accessToken: res.body.accessToken, refreshToken: res.body.refreshToken };
}
