/**
 * The global daily AI budget: model calls per UTC day (AI_DAILY_BUDGET), one counter in Upstash
 * shared by every isolate and region, so the provider's quota is never exceeded whatever the
 * concurrency. Admitting new work reserves its first model call; every further call (a retry, a
 * job that waited past midnight) is counted when it is made. Fails closed: when Upstash cannot
 * answer, nothing is admitted (503) and no model call is made.
 *
 * No one takes the whole budget: new work is also limited per user per hour and per day, and per
 * address per day (AI_USER_HOURLY_LIMIT, AI_USER_DAILY_LIMIT, AI_IP_DAILY_LIMIT). When the day's
 * count passes 80 % and 100 % of the budget, one structured warning per threshold per day is logged
 * (a Redis SET NX decides which isolate logs it).
 */
import type { Context } from "hono";
import type { AppEnv, Services } from "../context.ts";
import { ApiError, DependencyError } from "../errors.ts";
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

/** Counts one call; resolves to the day's count including it. */
async function countCall(services: Services, key: string): Promise<number> {
  try {
    const [count] = await Promise.all([services.redis.incr(key), services.redis.expire(key, 2 * 24 * 60 * 60)]);
    return count;
  } catch (cause) {
    throw new DependencyError("cache", "AI budget unavailable", { cause });
  }
}

async function uncountCall(services: Services, key: string): Promise<void> {
  try {
    await services.redis.decr(key);
  } catch (err) {
    services.logger.warn("could not give back an AI budget reservation", { key, ...errorFields(err) });
  }
}

/** Thresholds of the day's budget that are logged once when passed. */
const BUDGET_WARNINGS = [80, 100] as const;

/** Thresholds this isolate already knows were logged today (spares the SET NX round trip). */
const warned = new Set<string>();

/**
 * Logs `ai budget threshold passed` once per UTC day and threshold, whichever isolate sees the count
 * pass it first. Never throws: a warning is not worth failing work for.
 */
export async function warnOnBudgetUse(services: Services, count: number, now = Date.now()): Promise<void> {
  const budget = services.config.AI_DAILY_BUDGET;
  const day = budgetDay(now);
  for (const percent of BUDGET_WARNINGS) {
    const memo = `${services.config.KEY_PREFIX}${day}:${percent}`;
    if (count < Math.ceil((budget * percent) / 100) || warned.has(memo)) continue;
    warned.add(memo);
    try {
      const first = await services.redis.set(keyOf(services.config, "ai", "budget-warned", day, String(percent)), 1, { nx: true, ex: 2 * 24 * 60 * 60 });
      if (first === "OK") {
        services.logger.warn("ai budget threshold passed", { event: "ai_budget_threshold", day, percent, used: count, budget });
      }
    } catch (err) {
      warned.delete(memo);
      services.logger.warn("could not record an AI budget warning", errorFields(err));
    }
  }
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
 * const admission = await admitAiWork(services, { userId, address: clientAddress(c) });
 * enforceAdmission(c, admission);
 */
export async function admitAiWork(services: Services, requester: Requester, now = Date.now()): Promise<AiAdmission> {
  const key = budgetKey(services, now);
  const [limits, count] = await Promise.allSettled([
    checkLimits(services, [
      { policy: "ai.work.user", identifier: requester.userId },
      { policy: "ai.work.user.daily", identifier: requester.userId },
      { policy: "ai.work.ip", identifier: requester.address },
    ]),
    countCall(services, key),
  ]);
  if (limits.status === "rejected" || count.status === "rejected") {
    if (count.status === "fulfilled") await uncountCall(services, key);
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
      await uncountCall(services, key);
    },
  };
}

/**
 * Refuses work the admission did not allow (giving its reservation back) and sets `RateLimit-*`;
 * budget warnings are written after the response.
 */
export function enforceAdmission(c: Context<AppEnv>, admission: AiAdmission): void {
  c.executionCtx.waitUntil(warnOnBudgetUse(c.get("services"), admission.budgetUsed));
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
 * Counts one model call against today's budget; refused (and not counted) when it is spent.
 * Throws a DependencyError when Upstash cannot answer.
 */
export async function spendModelCall(services: Services, now = Date.now()): Promise<ModelCallPermit> {
  const key = budgetKey(services, now);
  const count = await countCall(services, key);
  await warnOnBudgetUse(services, count, now);
  if (count <= services.config.AI_DAILY_BUDGET) return { ok: true };
  await uncountCall(services, key);
  return { ok: false, retryAfterSeconds: secondsUntilReset(now) };
}

/** True when the job's first call was reserved by its admission (same UTC day). */
export function callWasReserved(createdAt: Date, attempt: number, now = Date.now()): boolean {
  return attempt === 1 && budgetDay(createdAt.getTime()) === budgetDay(now);
}
