/**
 * Usage alerts: when today's model calls pass 80 % and 95 % of the global budget, or one account's
 * calls pass ALERT_ACCOUNT_SHARE of it, one structured warning per threshold per UTC day, and one
 * post to ALERT_WEBHOOK_URL if set. "Once" holds across isolates and regions: the first caller to
 * `SET NX` the threshold's key for the day sends it; this isolate then remembers it fired and
 * never asks again that day. Checks run after the response (`waitUntil`), never on a request's path.
 */
import type { Services } from "../context.ts";
import { errorFields } from "./log.ts";
import { keyOf } from "./redis.ts";

/** Shares of AI_DAILY_BUDGET that warn. */
export const BUDGET_THRESHOLDS = [0.8, 0.95] as const;
const WEBHOOK_TIMEOUT_MS = 3_000;
const KEY_TTL_SECONDS = 2 * 24 * 60 * 60;

export type UsageAlert =
  | { kind: "budget"; day: string; threshold: number; modelCalls: number; budget: number }
  | { kind: "account"; day: string; threshold: number; userId: string; modelCalls: number; budget: number };

/** Today's counts right after one model call was counted. */
export interface CountedCall {
  day: string;
  calls: number;
  userId: string;
  accountCalls: number;
}

/** Alert keys this isolate knows were already claimed (by it or another), per day. */
const fired = new Set<string>();
let firedDay = "";

function alertKey(alert: UsageAlert): string {
  return alert.kind === "budget" ? `budget:${alert.threshold}` : `account:${alert.userId}`;
}

/** The thresholds these counts have passed. Pure: what `watchUsage` then claims and sends. */
export function passedThresholds(budget: number, accountShare: number, counted: CountedCall): UsageAlert[] {
  const { day, calls, userId, accountCalls } = counted;
  const alerts: UsageAlert[] = BUDGET_THRESHOLDS.filter((t) => calls >= t * budget).map((threshold) => ({
    kind: "budget",
    day,
    threshold,
    modelCalls: calls,
    budget,
  }));
  if (accountCalls > accountShare * budget) {
    alerts.push({ kind: "account", day, threshold: accountShare, userId, modelCalls: accountCalls, budget });
  }
  return alerts;
}

function describe(alert: UsageAlert): string {
  const percent = Math.round(alert.threshold * 100);
  return alert.kind === "budget"
    ? `Assay: today's model calls passed ${percent}% of the daily budget (${alert.modelCalls} of ${alert.budget}, ${alert.day} UTC)`
    : `Assay: account ${alert.userId} made over ${percent}% of the daily budget (${alert.modelCalls} of ${alert.budget} calls, ${alert.day} UTC)`;
}

async function postWebhook(services: Services, url: string, alert: UsageAlert): Promise<void> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      // `text` is what Slack- and Teams-style incoming webhooks display.
      body: JSON.stringify({ text: describe(alert), alert, environment: services.config.ENVIRONMENT }),
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
    if (!res.ok) services.logger.warn("alert webhook refused the alert", { status: res.status, alert: alertKey(alert) });
  } catch (err) {
    services.logger.warn("alert webhook unreachable", { alert: alertKey(alert), ...errorFields(err) });
  }
}

async function raise(services: Services, alert: UsageAlert, memo: string): Promise<void> {
  const key = keyOf(services.config, "alert", alert.day, alertKey(alert));
  let claimed: unknown;
  try {
    claimed = await services.redis.set(key, "1", { nx: true, ex: KEY_TTL_SECONDS });
  } catch (err) {
    services.logger.warn("could not claim a usage alert; will try again", { key, ...errorFields(err) });
    return;
  }
  fired.add(memo);
  if (claimed !== "OK") return;
  services.logger.warn("usage threshold passed", { alert: alert.kind, ...alert, message: describe(alert) });
  const url = services.config.ALERT_WEBHOOK_URL;
  if (url) await postWebhook(services, url, alert);
}

/**
 * Raises the alerts these counts call for that nobody raised yet today. Resolves to undefined
 * (nothing to do, no I/O) on almost every call; otherwise hand the promise to `waitUntil`.
 *
 * @example
 * const work = watchUsage(services, counted);
 * if (work) ctx.waitUntil(work);
 */
export function watchUsage(services: Services, counted: CountedCall): Promise<void> | undefined {
  const { AI_DAILY_BUDGET, ALERT_ACCOUNT_SHARE, KEY_PREFIX } = services.config;
  if (firedDay !== counted.day) {
    fired.clear();
    firedDay = counted.day;
  }
  const due = passedThresholds(AI_DAILY_BUDGET, ALERT_ACCOUNT_SHARE, counted)
    .map((alert) => ({ alert, memo: `${KEY_PREFIX}${alertKey(alert)}` }))
    .filter(({ memo }) => !fired.has(memo));
  if (due.length === 0) return undefined;
  return Promise.all(due.map(({ alert, memo }) => raise(services, alert, memo))).then(() => undefined);
}
