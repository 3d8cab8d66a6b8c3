/**
 * Rate limits, in Upstash so every isolate in every region shares them. This file is the one list
 * of named policies and their numbers; an environment overrides any of them with the RATE_LIMITS
 * variable (JSON: `{"auth.login.ip": {"limit": 20, "windowSeconds": 60}}`).
 *
 * Checks fail CLOSED by default: a cache error or a limiter timeout throws a DependencyError
 * (503 `unavailable`), never lets the request through. Issue a route's checks and its cache reads
 * in the same tick: the Redis adapter sends them as one round trip.
 */
import { Ratelimit } from "@upstash/ratelimit";
import type { Context, MiddlewareHandler } from "hono";
import type { Config } from "../config.ts";
import type { AppEnv, Services } from "../context.ts";
import { ApiError, DependencyError } from "../errors.ts";
import { keyOf } from "./redis.ts";

export interface RatePolicy {
  /** Requests allowed per window (sliding window). */
  limit: number;
  windowSeconds: number;
}

/** Every rate-limit policy of the API. */
export const ratePolicies = {
  "auth.login.ip": { limit: 10, windowSeconds: 60 },
  "auth.login.email": { limit: 20, windowSeconds: 15 * 60 },
  "auth.register.ip": { limit: 10, windowSeconds: 60 * 60 },
  "auth.register.email": { limit: 5, windowSeconds: 60 * 60 },
  "auth.refresh.ip": { limit: 60, windowSeconds: 60 },
  /** New AI work (submit, chat message) per user; the limit defaults to AI_USER_HOURLY_LIMIT. */
  "ai.work.user": { limit: 20, windowSeconds: 60 * 60 },
} as const satisfies Record<string, RatePolicy>;

export type RatePolicyName = keyof typeof ratePolicies;

export interface LockoutPolicy {
  /** Failures (within `forgetSeconds` of each other) before the first lock. */
  threshold: number;
  /** The first lock; each further failure doubles it, up to `maxSeconds`. */
  baseSeconds: number;
  maxSeconds: number;
  /** Failures are forgotten after this long without a new one. */
  forgetSeconds: number;
}

/**
 * Escalating lockouts. RATE_LIMITS overrides them too: `limit` sets the threshold and
 * `windowSeconds` the first lock.
 */
export const lockoutPolicies = {
  "auth.login.failures": { threshold: 5, baseSeconds: 60, maxSeconds: 60 * 60, forgetSeconds: 24 * 60 * 60 },
} as const satisfies Record<string, LockoutPolicy>;

export type LockoutPolicyName = keyof typeof lockoutPolicies;

/** How long a limiter may take before the check counts as failed (and the request is refused). */
const LIMITER_TIMEOUT_MS = 1_500;

export function ratePolicy(services: Services, name: RatePolicyName): RatePolicy {
  const base: RatePolicy =
    name === "ai.work.user" ? { ...ratePolicies[name], limit: services.config.AI_USER_HOURLY_LIMIT } : ratePolicies[name];
  return { ...base, ...services.config.RATE_LIMITS[name] };
}

export function lockoutPolicy(services: Services, name: LockoutPolicyName): LockoutPolicy {
  const override = services.config.RATE_LIMITS[name];
  const base: LockoutPolicy = lockoutPolicies[name];
  return {
    ...base,
    threshold: override?.limit ?? base.threshold,
    baseSeconds: override?.windowSeconds ?? base.baseSeconds,
  };
}

const limiters = new WeakMap<Services, Map<string, Ratelimit>>();

function limiterFor(services: Services, name: RatePolicyName): Ratelimit {
  let byName = limiters.get(services);
  if (!byName) {
    byName = new Map();
    limiters.set(services, byName);
  }
  let limiter = byName.get(name);
  if (!limiter) {
    const policy = ratePolicy(services, name);
    limiter = new Ratelimit({
      redis: services.redis,
      limiter: Ratelimit.slidingWindow(policy.limit, `${policy.windowSeconds} s`),
      prefix: keyOf(services.config, "rl", name),
      timeout: LIMITER_TIMEOUT_MS,
      // Nothing shared lives in isolate memory: a blocked client is known from Upstash alone.
      ephemeralCache: false,
      analytics: false,
      enableProtection: false,
      enableTelemetry: false,
    });
    byName.set(name, limiter);
  }
  return limiter;
}

/** The outcome of one or more checks, as the client sees it. */
export interface LimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the (tightest) window resets. */
  resetSeconds: number;
}

export interface LimitCheck {
  policy: RatePolicyName;
  /** Who is counted: an IP, a hashed email (see `identifierOf`), a user id. */
  identifier: string;
}

function secondsUntil(epochMs: number, now: number): number {
  return Math.max(0, Math.ceil((epochMs - now) / 1000));
}

/**
 * Counts one request against every check at once (all issued in the same tick) and combines the
 * answers: refused if any refuses; headers describe the tightest one. Fails closed.
 *
 * @example
 * const decision = await checkLimits(services, [{ policy: "auth.refresh.ip", identifier: clientIp(c) }]);
 * enforce(c, decision);
 */
export async function checkLimits(services: Services, checks: LimitCheck[]): Promise<LimitDecision> {
  let results;
  try {
    results = await Promise.all(checks.map((check) => limiterFor(services, check.policy).limit(check.identifier)));
  } catch (cause) {
    throw new DependencyError("cache", "rate limiter unavailable", { cause });
  }
  if (results.some((r) => r.reason === "timeout")) throw new DependencyError("cache", "rate limiter timed out");
  const now = Date.now();
  const refused = results.filter((r) => !r.success);
  const pool = refused.length > 0 ? refused : results;
  const tightest = pool.reduce((a, b) => (b.remaining < a.remaining || (b.remaining === a.remaining && b.reset > a.reset) ? b : a));
  const resetSeconds = refused.length > 0 ? Math.max(...refused.map((r) => secondsUntil(r.reset, now))) : secondsUntil(tightest.reset, now);
  return { allowed: refused.length === 0, limit: tightest.limit, remaining: tightest.remaining, resetSeconds };
}

/** Sets the `RateLimit-*` headers; refuses with 429 `rate_limited` and `Retry-After` when not allowed. */
export function enforce(c: Context<AppEnv>, decision: LimitDecision): void {
  const headers = {
    "RateLimit-Limit": String(decision.limit),
    "RateLimit-Remaining": String(decision.remaining),
    "RateLimit-Reset": String(decision.resetSeconds),
  };
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
  if (!decision.allowed) {
    throw new ApiError("rate_limited", "Too many requests, try again later", {
      retryAfter: Math.max(1, decision.resetSeconds),
      headers,
    });
  }
}

/** The client's address per API.md: CF-Connecting-IP, else a constant. */
export function clientIp(c: Context<AppEnv>): string {
  return c.req.header("cf-connecting-ip")?.trim() || "unknown";
}

const limitKeys = new WeakMap<Config, Promise<CryptoKey>>();

/**
 * The HMAC key of limit identifiers, derived from PASSWORD_PEPPER (HMAC of a fixed label), so the
 * pepper itself never keys anything but passwords, and no new secret has to be managed.
 */
function limitKey(config: Config): Promise<CryptoKey> {
  let key = limitKeys.get(config);
  if (!key) {
    const encoder = new TextEncoder();
    key = crypto.subtle
      .importKey("raw", encoder.encode(config.PASSWORD_PEPPER), { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
      .then((pepper) => crypto.subtle.sign("HMAC", pepper, encoder.encode("assay:rate-limit-identifiers:v1")))
      .then((derived) => crypto.subtle.importKey("raw", derived, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]));
    limitKeys.set(config, key);
  }
  return key;
}

/**
 * A short, stable identifier for personal data used as a limit key (e.g. an email): a keyed hash
 * (HMAC-SHA-256 under a secret), so someone who reads Redis cannot test guesses of the email
 * against it, as they could against a plain hash.
 *
 * @example
 * const checks = [{ policy: "auth.login.email", identifier: await identifierOf(services.config, email) }];
 */
export async function identifierOf(config: Config, value: string): Promise<string> {
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await limitKey(config), new TextEncoder().encode(value)));
  return Array.from(mac.subarray(0, 16), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * A route middleware limiting by one policy (per IP unless `identify` says otherwise).
 *
 * @example
 * createRoute({ ..., middleware: [rateLimit("auth.refresh.ip")] as const })
 */
export function rateLimit(policy: RatePolicyName, identify: (c: Context<AppEnv>) => string = clientIp): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    enforce(c, await checkLimits(c.get("services"), [{ policy, identifier: identify(c) }]));
    await next();
  };
}

export interface LockoutState {
  failures: number;
  /** Seconds the identifier is still locked out (0 when not locked). */
  lockedForSeconds: number;
}

function lockoutKey(services: Services, name: LockoutPolicyName, identifier: string): string {
  return keyOf(services.config, "lockout", name, identifier);
}

/** How long `failures` consecutive failures lock an identifier out. */
export function lockSeconds(policy: LockoutPolicy, failures: number): number {
  if (failures < policy.threshold) return 0;
  return Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** Math.min(failures - policy.threshold, 30));
}

/** Reads an identifier's failures and lock (one HMGET; issue it with the limit checks). Fails closed. */
export async function readLockout(services: Services, name: LockoutPolicyName, identifier: string): Promise<LockoutState> {
  let values: Record<"n" | "at", string | number | null> | null;
  try {
    values = await services.redis.hmget(lockoutKey(services, name, identifier), "n", "at");
  } catch (cause) {
    throw new DependencyError("cache", "lockout state unavailable", { cause });
  }
  const failures = Number(values?.n ?? 0) || 0;
  const lastFailureAt = Number(values?.at ?? 0) || 0;
  const lockedUntil = lastFailureAt + lockSeconds(lockoutPolicy(services, name), failures) * 1000;
  return { failures, lockedForSeconds: secondsUntil(lockedUntil, Date.now()) };
}

/** Counts a failure (one pipelined round trip); the lock it earns starts now. */
export async function recordFailure(services: Services, name: LockoutPolicyName, identifier: string): Promise<void> {
  const key = lockoutKey(services, name, identifier);
  const policy = lockoutPolicy(services, name);
  try {
    await Promise.all([
      services.redis.hincrby(key, "n", 1),
      services.redis.hset(key, { at: Date.now() }),
      services.redis.expire(key, policy.forgetSeconds),
    ]);
  } catch (cause) {
    throw new DependencyError("cache", "lockout state unavailable", { cause });
  }
}

/** Forgets an identifier's failures (after a success). */
export async function clearFailures(services: Services, name: LockoutPolicyName, identifier: string): Promise<void> {
  try {
    await services.redis.del(lockoutKey(services, name, identifier));
  } catch (cause) {
    throw new DependencyError("cache", "lockout state unavailable", { cause });
  }
}

/** 429 with `Retry-After` while locked out. */
export function enforceLockout(state: LockoutState): void {
  if (state.lockedForSeconds > 0) {
    throw new ApiError("rate_limited", "Too many failed attempts, try again later", {
      retryAfter: state.lockedForSeconds,
      headers: { "RateLimit-Remaining": "0", "RateLimit-Reset": String(state.lockedForSeconds) },
    });
  }
}
