/**
 * Rate limits, in Upstash so every isolate in every region shares them. This file is the one list
 * of named policies and their numbers; an environment overrides any of them with the RATE_LIMITS
 * variable (JSON: `{"auth.login.ip": {"limit": 20, "windowSeconds": 60}}`).
 *
 * Checks fail CLOSED by default: a cache error or a limiter timeout throws a DependencyError
 * (503 `unavailable`), never lets the request through; only policies marked `failOpen` (per-user
 * write limits that guard no secret and spend no money) let requests through instead. Issue a
 * route's checks and its cache reads in the same tick: the Redis adapter sends them as one round trip.
 */
import { Ratelimit } from "@upstash/ratelimit";
import type { Context, MiddlewareHandler } from "hono";
import type { Config } from "../config.ts";
import type { AppEnv, Services } from "../context.ts";
import { ApiError, DependencyError } from "../errors.ts";
import { errorFields } from "./log.ts";
import { keyOf } from "./redis.ts";

export interface RatePolicy {
  /** Requests allowed per window (sliding window). */
  limit: number;
  windowSeconds: number;
  /**
   * Let requests through when Upstash cannot answer (within CACHE_TIMEOUT_MS), for limits that
   * only keep one user from flooding a write route: a cache outage must not stop people saving
   * their answers. Everything that guards a secret or spends money fails closed.
   */
  failOpen?: boolean;
}

/**
 * Every rate-limit policy of the API: what each counts, per whom (the suffix), and how many per
 * sliding window. "address" is the client's IPv4 address or IPv6 /64 (`addressKey`).
 */
export const ratePolicies = {
  "auth.login.ip": { limit: 10, windowSeconds: 60 },
  /**
   * Logins per email from addresses the email has not logged in from before: slows a distributed
   * guessing attack without locking the owner out (their known addresses are not counted against it).
   */
  "auth.login.email": { limit: 20, windowSeconds: 15 * 60 },
  "auth.register.ip": { limit: 10, windowSeconds: 60 * 60 },
  "auth.register.email": { limit: 5, windowSeconds: 60 * 60 },
  "auth.refresh.ip": { limit: 60, windowSeconds: 60 },
  /** New AI work (submit, analysis, chat message) per user; the limit defaults to AI_USER_HOURLY_LIMIT. */
  "ai.work.user": { limit: 20, windowSeconds: 60 * 60 },
  /** GET /me/export per user: a whole account's rows is the most expensive read there is. */
  "account.export.user": { limit: 3, windowSeconds: 60 * 60 },
  /** New AI work per user per day; the limit defaults to AI_USER_DAILY_LIMIT. */
  "ai.work.user.daily": { limit: 60, windowSeconds: 24 * 60 * 60 },
  /** New AI work per address per day, whoever is signed in; the limit defaults to AI_IP_DAILY_LIMIT. */
  "ai.work.ip": { limit: 200, windowSeconds: 24 * 60 * 60 },
  /**
   * Flagged chat messages answered with the caring reply because the AI limits or budget were
   * spent (docs/SUPPORT.md), per user: bounds the rows they write. Fails open: a crisis is answered.
   */
  "support.care.user": { limit: 20, windowSeconds: 60 * 60, failOpen: true },
  "conversations.create.user": { limit: 30, windowSeconds: 60 * 60, failOpen: true },
  "assessments.create.user": { limit: 30, windowSeconds: 60 * 60, failOpen: true },
  /** Answer saves (the SPA autosaves in batches after a pause). */
  "assessments.answers.user": { limit: 600, windowSeconds: 60 * 60, failOpen: true },
  /** PATCH and DELETE /me. */
  "account.update.user": { limit: 30, windowSeconds: 60 * 60 },
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
  /** Failed logins of one email from one address (never the email alone: no targeted lockout). */
  "auth.login.failures": { threshold: 5, baseSeconds: 60, maxSeconds: 60 * 60, forgetSeconds: 24 * 60 * 60 },
  /** Wrong current passwords on PATCH /me and DELETE /me, per user. */
  "account.password.failures": { threshold: 5, baseSeconds: 60, maxSeconds: 60 * 60, forgetSeconds: 24 * 60 * 60 },
} as const satisfies Record<string, LockoutPolicy>;

export type LockoutPolicyName = keyof typeof lockoutPolicies;

/** How long a limiter may take before the check counts as failed (and the request is refused). */
const LIMITER_TIMEOUT_MS = 1_500;

/** Policies whose limit is its own configuration variable (RATE_LIMITS still overrides it). */
const configuredLimits: Partial<Record<RatePolicyName, (config: Services["config"]) => number>> = {
  "ai.work.user": (config) => config.AI_USER_HOURLY_LIMIT,
  "ai.work.user.daily": (config) => config.AI_USER_DAILY_LIMIT,
  "ai.work.ip": (config) => config.AI_IP_DAILY_LIMIT,
};

export function ratePolicy(services: Services, name: RatePolicyName): RatePolicy {
  const configured = configuredLimits[name]?.(services.config);
  const base: RatePolicy = configured === undefined ? ratePolicies[name] : { ...ratePolicies[name], limit: configured };
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
      timeout: policy.failOpen ? services.config.CACHE_TIMEOUT_MS : LIMITER_TIMEOUT_MS,
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
  /** Who is counted: an address (`clientAddress`), a hashed email (see `identifierOf`), a user id. */
  identifier: string;
}

function secondsUntil(epochMs: number, now: number): number {
  return Math.max(0, Math.ceil((epochMs - now) / 1000));
}

/**
 * Several decisions as one: refused if any refuses; the headers describe the tightest one (the
 * refusing one that resets last, or the one with the fewest requests left).
 */
export function combineDecisions(decisions: LimitDecision[]): LimitDecision {
  const refused = decisions.filter((d) => !d.allowed);
  const pool = refused.length > 0 ? refused : decisions;
  const tightest = pool.reduce((a, b) => (b.remaining < a.remaining || (b.remaining === a.remaining && b.resetSeconds > a.resetSeconds) ? b : a));
  const resetSeconds = refused.length > 0 ? Math.max(...refused.map((d) => d.resetSeconds)) : tightest.resetSeconds;
  return { allowed: refused.length === 0, limit: tightest.limit, remaining: tightest.remaining, resetSeconds };
}

/**
 * Counts one request against every check at once (all issued in the same tick) and combines the
 * answers (`combineDecisions`). Fails closed.
 *
 * @example
 * const decision = await checkLimits(services, [{ policy: "auth.refresh.ip", identifier: clientAddress(c) }]);
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
  return combineDecisions(
    results.map((r) => ({ allowed: r.success, limit: r.limit, remaining: r.remaining, resetSeconds: secondsUntil(r.reset, now) })),
  );
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

/** The client's address as sent, per API.md: CF-Connecting-IP, else a constant. Limits use `clientAddress`. */
export function clientIp(c: Context<AppEnv>): string {
  return c.req.header("cf-connecting-ip")?.trim() || UNKNOWN_ADDRESS;
}

/** What every per-IP limit counts against: the client's `addressKey`. */
export function clientAddress(c: Context<AppEnv>): string {
  return addressKey(clientIp(c));
}

/** The one bucket for a missing or unreadable address. */
export const UNKNOWN_ADDRESS = "unknown";

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function ipv4Octets(text: string): number[] | undefined {
  const match = IPV4.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1).map(Number);
  return octets.every((o) => o <= 255) ? octets : undefined;
}

/** The eight 16-bit groups of an IPv6 address (an embedded IPv4 tail included), or undefined. */
function ipv6Groups(text: string): number[] | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const parse = (part: string, last: boolean): number[] | undefined => {
    if (part === "") return [];
    const groups: number[] = [];
    const pieces = part.split(":");
    for (const [i, piece] of pieces.entries()) {
      const v4 = last && i === pieces.length - 1 && piece.includes(".") ? ipv4Octets(piece) : undefined;
      if (v4) {
        groups.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      } else if (/^[0-9a-f]{1,4}$/i.test(piece)) {
        groups.push(parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return groups;
  };
  const head = parse(halves[0] ?? "", halves.length === 1);
  const tail = halves.length === 2 ? parse(halves[1] ?? "", true) : [];
  if (!head || !tail) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const missing = 8 - head.length - tail.length;
  return missing >= 1 ? [...head, ...Array<number>(missing).fill(0), ...tail] : undefined;
}

/**
 * The identity a per-IP limit counts: an IPv4 address as itself (/32), an IPv6 address as its /64
 * (one subscriber's whole allocation: the other 64 bits are theirs to vary freely), an IPv4-mapped
 * IPv6 address as the IPv4 address it carries. Zone ids, brackets and case are dropped; anything
 * unreadable counts as one constant address, like a missing one.
 *
 * @example
 * addressKey("2001:db8:1:2:aaaa::1") // "2001:db8:1:2::/64"
 * addressKey("::ffff:192.0.2.7")     // "192.0.2.7"
 */
export function addressKey(raw: string): string {
  const text = raw.trim().replace(/^\[(.*)\]$/, "$1").replace(/%[^%]*$/, "");
  const v4 = ipv4Octets(text);
  if (v4) return v4.join(".");
  if (!text.includes(":") || text.length > 45) return UNKNOWN_ADDRESS;
  const groups = ipv6Groups(text);
  if (!groups) return UNKNOWN_ADDRESS;
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (mapped) return [(groups[6] ?? 0) >> 8, (groups[6] ?? 0) & 255, (groups[7] ?? 0) >> 8, (groups[7] ?? 0) & 255].join(".");
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(":")}::/64`;
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
export function rateLimit(policy: RatePolicyName, identify: (c: Context<AppEnv>) => string = clientAddress): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const services = c.get("services");
    let decision: LimitDecision | undefined;
    try {
      decision = await checkLimits(services, [{ policy, identifier: identify(c) }]);
    } catch (err) {
      if (!(err instanceof DependencyError && ratePolicy(services, policy).failOpen)) throw err;
      c.get("logger").warn("rate limiter unavailable: failing open", { policy, ...errorFields(err) });
    }
    if (decision) enforce(c, decision);
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

/**
 * One atomic step of a lockout: refuse while locked (not counting the refused attempt), otherwise
 * count the attempt as a failure and let it through. Counting before the password is verified means
 * a parallel burst cannot run past the threshold: each attempt is counted before the next one reads.
 * A right password takes its count back (`clearFailures`). Returns `{failures, lockedForMs}`.
 */
const LOCKOUT_ATTEMPT = `
local n = tonumber(redis.call("HGET", KEYS[1], "n") or "0") or 0
local at = tonumber(redis.call("HGET", KEYS[1], "at") or "0") or 0
local now = tonumber(ARGV[1])
local threshold = tonumber(ARGV[2])
local lock = 0
if n >= threshold then lock = math.min(tonumber(ARGV[4]), tonumber(ARGV[3]) * 2 ^ math.min(n - threshold, 30)) end
local lockedUntil = at + lock * 1000
if lockedUntil > now then return {n, math.floor(lockedUntil - now)} end
redis.call("HSET", KEYS[1], "n", n + 1, "at", now)
redis.call("PEXPIRE", KEYS[1], tonumber(ARGV[5]) * 1000)
return {n + 1, 0}
`;

/**
 * Counts an attempt against an identifier's lockout before its secret is checked (one EVAL; issue
 * it with the limit checks, they share the round trip), or reports the lock that refuses it.
 * Fails closed.
 *
 * @example
 * const lockout = await attemptLockout(services, "account.password.failures", userId);
 * enforceLockout(lockout);
 */
export async function attemptLockout(services: Services, name: LockoutPolicyName, identifier: string): Promise<LockoutState> {
  const policy = lockoutPolicy(services, name);
  const args = [Date.now(), policy.threshold, policy.baseSeconds, policy.maxSeconds, policy.forgetSeconds];
  let reply: unknown;
  try {
    reply = await services.redis.eval(LOCKOUT_ATTEMPT, [lockoutKey(services, name, identifier)], args);
  } catch (cause) {
    throw new DependencyError("cache", "lockout state unavailable", { cause });
  }
  if (!Array.isArray(reply)) throw new DependencyError("cache", "lockout state unreadable");
  const [failures, lockedForMs] = reply.map(Number);
  return { failures: failures ?? 0, lockedForSeconds: Math.ceil((lockedForMs ?? 0) / 1000) };
}

/** Forgets an identifier's failures (after a success: its own attempt was counted too). */
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

/** How long an address stays known to an account after a successful login from it. */
export const KNOWN_ADDRESS_SECONDS = 30 * 24 * 60 * 60;

function knownAddressKey(services: Services, emailId: string, address: string): string {
  return keyOf(services.config, "known", emailId, address);
}

/** Whether the account behind `emailId` logged in from `address` recently (one GET; issue it with the checks). Fails closed. */
export async function isKnownAddress(services: Services, emailId: string, address: string): Promise<boolean> {
  try {
    return (await services.redis.exists(knownAddressKey(services, emailId, address))) === 1;
  } catch (cause) {
    throw new DependencyError("cache", "known addresses unavailable", { cause });
  }
}

/** Remembers a successful login's address for `KNOWN_ADDRESS_SECONDS`. */
export async function rememberAddress(services: Services, emailId: string, address: string): Promise<void> {
  try {
    await services.redis.set(knownAddressKey(services, emailId, address), 1, { ex: KNOWN_ADDRESS_SECONDS });
  } catch (cause) {
    throw new DependencyError("cache", "known addresses unavailable", { cause });
  }
}
