/**
 * The usage report: per UTC day, model calls against the budget, per model calls, tokens and
 * estimated cost, jobs by outcome, time to finish and the top accounts. The history is ONE
 * statement (one Neon round trip), cached for a minute; today's call count is read live from the
 * shared budget counter in the same Upstash round trip as the cache.
 */
import { sql } from "drizzle-orm";
import type { Config } from "../config.ts";
import type { Services } from "../context.ts";
import type { Cache } from "../platform/cache.ts";
import { cacheFamily } from "../platform/cache.ts";
import type { Db } from "../platform/db.ts";
import { errorFields } from "../platform/log.ts";
import { modelCallsToday } from "../platform/quota.ts";
import type { Usage, UsageDay } from "./schemas.ts";

const DAY_MS = 24 * 60 * 60 * 1000;
export const USAGE_CACHE_SECONDS = 60;
const TOP_ACCOUNTS = 10;

interface ModelRow {
  day: string;
  model: string;
  calls: number;
  input_tokens: number;
  output_tokens: number;
}
interface AccountRow {
  day: string;
  user_id: string;
  email: string;
  calls: number;
}
interface JobsRow {
  day: string;
  succeeded: number;
  failed: number;
  retried: number;
  dead_lettered: number;
  p50: number | null;
  p95: number | null;
}

/** What the database says about the days since `from` (cached as it is). */
export interface UsageHistory {
  models: ModelRow[];
  accounts: AccountRow[];
  jobs: JobsRow[];
}

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Midnight UTC of the oldest day reported. */
function firstDay(days: number, now: number): number {
  return Math.floor(now / DAY_MS) * DAY_MS - (days - 1) * DAY_MS;
}

const utcDay = (column: string) => sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD')`);

/** One statement: three aggregates, each returned as a JSON array (indexes: model_calls_created_idx, jobs_finished_idx). */
export async function readUsageHistory(db: Db, from: Date): Promise<UsageHistory> {
  const since = from.toISOString();
  const result = await db.execute<{ models: string; accounts: string; jobs: string }>(sql`
    with calls as (
      select ${utcDay("created_at")} as day, model, user_id, input_tokens, output_tokens
      from model_calls where created_at >= ${since}::timestamptz
    ),
    models as (
      select day, model, count(*)::int as calls,
             coalesce(sum(input_tokens), 0)::bigint as input_tokens, coalesce(sum(output_tokens), 0)::bigint as output_tokens
      from calls group by day, model
    ),
    ranked as (
      select day, user_id, count(*)::int as calls,
             row_number() over (partition by day order by count(*) desc, user_id) as rank
      from calls where user_id is not null group by day, user_id
    ),
    accounts as (
      select r.day, r.user_id, u.email, r.calls from ranked r join users u on u.id = r.user_id
      where r.rank <= ${TOP_ACCOUNTS}
    ),
    finished as (
      select ${utcDay("finished_at")} as day,
             count(*) filter (where status = 'succeeded')::int as succeeded,
             count(*) filter (where status = 'failed')::int as failed,
             count(*) filter (where attempts > 1)::int as retried,
             count(*) filter (where dead_lettered)::int as dead_lettered,
             percentile_cont(0.5) within group (order by extract(epoch from finished_at - created_at)) as p50,
             percentile_cont(0.95) within group (order by extract(epoch from finished_at - created_at)) as p95
      from jobs where finished_at >= ${since}::timestamptz
        -- a caring reply written without the model (succeeded, 0 attempts: docs/SUPPORT.md) is no AI work
        and not (status = 'succeeded' and attempts = 0)
      group by 1
    )
    select (select coalesce(json_agg(models), '[]')::text from models) as models,
           (select coalesce(json_agg(accounts order by calls desc, user_id), '[]')::text from accounts) as accounts,
           (select coalesce(json_agg(finished), '[]')::text from finished) as jobs`);
  const row = result.rows[0];
  return {
    models: JSON.parse(row?.models ?? "[]") as ModelRow[],
    accounts: JSON.parse(row?.accounts ?? "[]") as AccountRow[],
    jobs: JSON.parse(row?.jobs ?? "[]") as JobsRow[],
  };
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

function costOf(config: Config, model: string, input: number, output: number): number | null {
  const price = config.AI_MODEL_PRICES.models[model];
  if (!price) return null;
  return round((input * price.inputPerMillionTokens + output * price.outputPerMillionTokens) / 1e6, 6);
}

/** Shapes the history into days, newest first; `todayCalls` (live) replaces today's counted calls. */
export function usageReport(config: Config, history: UsageHistory, days: number, now: number, todayCalls: number | undefined): Usage {
  const today = dayOf(now);
  const from = firstDay(days, now);
  const report: UsageDay[] = [];
  for (let i = days - 1; i >= 0; i--) {
    const date = dayOf(from + i * DAY_MS);
    const byModel = history.models
      .filter((m) => m.day === date)
      .sort((a, b) => b.calls - a.calls || a.model.localeCompare(b.model))
      .map((m) => ({
        model: m.model,
        calls: m.calls,
        inputTokens: Number(m.input_tokens),
        outputTokens: Number(m.output_tokens),
        estimatedCostUsd: costOf(config, m.model, Number(m.input_tokens), Number(m.output_tokens)),
      }));
    const jobs = history.jobs.find((j) => j.day === date);
    const counted = byModel.reduce((sum, m) => sum + m.calls, 0);
    report.push({
      date,
      modelCalls: date === today && todayCalls !== undefined ? todayCalls : counted,
      budget: config.AI_DAILY_BUDGET,
      estimatedCostUsd: round(byModel.reduce((sum, m) => sum + (m.estimatedCostUsd ?? 0), 0), 6),
      byModel,
      jobs: {
        succeeded: jobs?.succeeded ?? 0,
        failed: jobs?.failed ?? 0,
        retried: jobs?.retried ?? 0,
        deadLettered: jobs?.dead_lettered ?? 0,
      },
      finishSeconds: {
        p50: jobs?.p50 == null ? null : round(jobs.p50, 2),
        p95: jobs?.p95 == null ? null : round(jobs.p95, 2),
      },
      topAccounts: history.accounts
        .filter((a) => a.day === date)
        .map((a) => ({ userId: a.user_id, email: a.email, modelCalls: a.calls })),
    });
  }
  return { budget: config.AI_DAILY_BUDGET, pricesAsOf: config.AI_MODEL_PRICES.asOf, days: report };
}

/**
 * The report for the last `days` UTC days.
 *
 * @example
 * const usage = await readUsage(services, requestCache(c), 7);
 */
export async function readUsage(services: Services, cache: Cache, days: number, now = Date.now()): Promise<Usage> {
  const { config, db, logger } = services;
  const family = cacheFamily(config, USAGE_CACHE_SECONDS, "usage");
  // Issued in the same tick: the cache read and the live counter share one Upstash round trip.
  const [history, todayCalls] = await Promise.all([
    cache.read(family, `${dayOf(now)}:${days}`, () => readUsageHistory(db.primary, new Date(firstDay(days, now)))),
    modelCallsToday(services, now).catch((err: unknown) => {
      logger.warn("live AI budget counter unavailable; today's calls come from the database", errorFields(err));
      return undefined;
    }),
  ]);
  return usageReport(config, history, days, now, todayCalls);
}
