/**
 * The global daily AI budget: model calls per UTC day (AI_DAILY_BUDGET), one counter in Upstash
 * shared by every isolate and region, so the provider's quota is never exceeded whatever the
 * concurrency. Admitting new work reserves its first model call; every further call (a retry, a
 * job that waited past midnight) is counted when it is made. Fails closed: when Upstash cannot
 * answer, nothing is admitted (503) and no model call is made.
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

export interface AiAdmission {
  limits: LimitDecision;
  /** Seconds until the budget resets, when today's is spent. */
  budgetSpentFor: number | undefined;
  /** Gives the reserved call back: the work was not started after all. Never throws. */
  release(): Promise<void>;
}

/**
 * Reserves one model call of today's budget and counts one unit of the user's AI work, in the same
 * tick (one Upstash round trip). Does not refuse by itself: see `enforceAdmission`.
 *
 * @example
 * const admission = await admitAiWork(services, userId);
 * enforceAdmission(c, admission);
 */
export async function admitAiWork(services: Services, userId: string, now = Date.now()): Promise<AiAdmission> {
  const key = budgetKey(services, now);
  const [limits, count] = await Promise.allSettled([
    checkLimits(services, [{ policy: "ai.work.user", identifier: userId }]),
    countCall(services, key),
  ]);
  if (limits.status === "rejected" || count.status === "rejected") {
    if (count.status === "fulfilled") await uncountCall(services, key);
    throw limits.status === "rejected" ? limits.reason : (count as PromiseRejectedResult).reason;
  }
  let released = false;
  return {
    limits: limits.value,
    budgetSpentFor: count.value > services.config.AI_DAILY_BUDGET ? secondsUntilReset(now) : undefined,
    release: async () => {
      if (released) return;
      released = true;
      await uncountCall(services, key);
    },
  };
}

/** Refuses work the admission did not allow (giving its reservation back) and sets `RateLimit-*`. */
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
 * Counts one model call against today's budget; refused (and not counted) when it is spent.
 * Throws a DependencyError when Upstash cannot answer.
 */
export async function spendModelCall(services: Services, now = Date.now()): Promise<ModelCallPermit> {
  const key = budgetKey(services, now);
  const count = await countCall(services, key);
  if (count <= services.config.AI_DAILY_BUDGET) return { ok: true };
  await uncountCall(services, key);
  return { ok: false, retryAfterSeconds: secondsUntilReset(now) };
}

/** True when the job's first call was reserved by its admission (same UTC day). */
export function callWasReserved(createdAt: Date, attempt: number, now = Date.now()): boolean {
  return attempt === 1 && budgetDay(createdAt.getTime()) === budgetDay(now);
}
