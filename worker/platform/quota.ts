/**
 * The global daily AI budget: model calls per UTC day (AI_DAILY_BUDGET), one counter in Upstash
 * shared by every isolate and region, so the provider's quota is never exceeded whatever the
 * concurrency. Admitting new work reserves its first model call; every further call (a retry, a
 * job that waited past midnight) is counted when it is made, for the day and for the account (the
 * usage alerts of ./alerts.ts watch both). Fails closed: when Upstash cannot
 * answer, nothing is admitted (503) and no model call is made.
 *
 * No one takes the whole budget: new work is also limited per user per hour and per day, and per
 * address per day (AI_USER_HOURLY_LIMIT, AI_USER_DAILY_LIMIT, AI_IP_DAILY_LIMIT). Passing 80 % and
 * 95 % of the budget (or one account passing its share) raises one alert per day (./alerts.ts).
 */
import type { Context } from "hono";
import type { AppEnv, Services } from "../context.ts";
import { ApiError, DependencyError } from "../errors.ts";
import { watchUsage } from "./alerts.ts";
import { checkLimits, enforce, type LimitDecision } from "./limits.ts";
import { errorFields } from "./log.ts";
import { keyOf } from "./redis.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

/** "2026-11-20": the budget's day. */
function budgetDay(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

/** Seconds until the budget resets (the next UTC midnight). */
export function secondsUntilReset(now: number): number {
  return Math.max(1, Math.ceil((Math.floor(now / DAY_MS + 1) * DAY_MS - now) / 1000));
}

function budgetKey(services: Services, now: number): string {
  return keyOf(services.config, "ai", "budget", budgetDay(now));
}

/** Today's model calls of one account: what the account-share alert watches. */
function accountKey(services: Services, userId: string, now: number): string {
  return keyOf(services.config, "ai", "calls", budgetDay(now), userId);
}

/** Runs work after the response (`waitUntil`): usage alerts. */
export type Defer = (work: Promise<unknown>) => void;

interface CallKeys {
  budget: string;
  account: string;
}

function callKeys(services: Services, userId: string, now: number): CallKeys {
  return { budget: budgetKey(services, now), account: accountKey(services, userId, now) };
}

const COUNTER_TTL_SECONDS = 2 * 24 * 60 * 60;

/**
 * Counts one call for the day and the account (one Upstash round trip); resolves to the day's
 * count including it. Passing an alert threshold hands the alert to `defer`.
 */
async function countCall(services: Services, keys: CallKeys, userId: string, now: number, defer: Defer): Promise<number> {
  const { redis } = services;
  let count: number;
  let accountCalls: number;
  try {
    [count, , accountCalls] = await Promise.all([
      redis.incr(keys.budget),
      redis.expire(keys.budget, COUNTER_TTL_SECONDS),
      redis.incr(keys.account),
      redis.expire(keys.account, COUNTER_TTL_SECONDS),
    ]);
  } catch (cause) {
    throw new DependencyError("cache", "AI budget unavailable", { cause });
  }
  const alerts = watchUsage(services, { day: budgetDay(now), calls: count, userId, accountCalls });
  if (alerts) defer(alerts);
  return count;
}

async function uncountCall(services: Services, keys: CallKeys): Promise<void> {
  try {
    await Promise.all([services.redis.decr(keys.budget), services.redis.decr(keys.account)]);
  } catch (err) {
    services.logger.warn("could not give back an AI budget reservation", { key: keys.budget, ...errorFields(err) });
  }
}

/** Today's model calls so far (counted and reserved), live from the shared counter. */
export async function modelCallsToday(services: Services, now = Date.now()): Promise<number> {
  return Number((await services.redis.get<number | string>(budgetKey(services, now))) ?? 0);
}

/** Who asks for new AI work: the account, and the address it asks from (`clientAddress`). */
export interface Requester {
  userId: string;
  address: string;
}

export interface AiAdmission {
  limits: LimitDecision;
  /** The day's count of model calls, this reservation included. */
  budgetUsed: number;
  /** Seconds until the budget resets, when today's is spent. */
  budgetSpentFor: number | undefined;
  /** Gives the reserved call back: the work was not started after all. Never throws. */
  release(): Promise<void>;
}

/**
 * Reserves one model call of today's budget and counts one unit of the requester's AI work against
 * the per-user (hourly, daily) and per-address limits, in the same tick (one Upstash round trip).
 * Does not refuse by itself: see `enforceAdmission`.
 *
 * @example
 * const admission = await admitAiWork(services, { userId, address: clientAddress(c) }, (work) => c.executionCtx.waitUntil(work));
 * enforceAdmission(c, admission);
 */
export async function admitAiWork(services: Services, requester: Requester, defer: Defer, now = Date.now()): Promise<AiAdmission> {
  const keys = callKeys(services, requester.userId, now);
  const [limits, count] = await Promise.allSettled([
    checkLimits(services, [
      { policy: "ai.work.user", identifier: requester.userId },
      { policy: "ai.work.user.daily", identifier: requester.userId },
      { policy: "ai.work.ip", identifier: requester.address },
    ]),
    countCall(services, keys, requester.userId, now, defer),
  ]);
  if (limits.status === "rejected" || count.status === "rejected") {
    if (count.status === "fulfilled") await uncountCall(services, keys);
    throw limits.status === "rejected" ? limits.reason : (count as PromiseRejectedResult).reason;
  }
  let released = false;
  return {
    limits: limits.value,
    budgetUsed: count.value,
    budgetSpentFor: count.value > services.config.AI_DAILY_BUDGET ? secondsUntilReset(now) : undefined,
    release: async () => {
      if (released) return;
      released = true;
      await uncountCall(services, keys);
    },
  };
}

/**
 * Refuses work the admission did not allow (giving its reservation back) and sets `RateLimit-*`.
 */
export function enforceAdmission(c: Context<AppEnv>, admission: AiAdmission): void {
  const refuse = (err: unknown) => {
    c.executionCtx.waitUntil(admission.release());
    throw err;
  };
  if (admission.budgetSpentFor !== undefined) {
    refuse(
      new ApiError("ai_quota_exhausted", "Today's AI quota is spent; new AI work is accepted again after the reset", {
        retryAfter: admission.budgetSpentFor,
      }),
    );
  }
  try {
    enforce(c, admission.limits);
  } catch (err) {
    refuse(err);
  }
}

export type ModelCallPermit = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * Counts one model call of `userId`'s job against today's budget; refused (and not counted) when
 * it is spent. Throws a DependencyError when Upstash cannot answer.
 */
export async function spendModelCall(services: Services, userId: string, defer: Defer, now = Date.now()): Promise<ModelCallPermit> {
  const keys = callKeys(services, userId, now);
  const count = await countCall(services, keys, userId, now, defer);
  if (count <= services.config.AI_DAILY_BUDGET) return { ok: true };
  await uncountCall(services, keys);
  return { ok: false, retryAfterSeconds: secondsUntilReset(now) };
}

/** True when the job's first call was reserved by its admission (same UTC day). */
export function callWasReserved(createdAt: Date, attempt: number, now = Date.now()): boolean {
  return attempt === 1 && budgetDay(createdAt.getTime()) === budgetDay(now);
}
