/**
 * Starting AI work from a request, the same way on every route that does (submit, chat message):
 *
 * 1. In parallel: the admission (global daily budget + the user's and the address's limits, one
 *    Upstash round trip),
 *    the response stored under the `Idempotency-Key` if one was sent, and the route's own read.
 * 2. A stored response is replayed (nothing new starts); otherwise quotas refuse with 429.
 * 3. ONE batch writes the domain rows, the queued job and the idempotency record, each guarded in
 *    SQL; the response was computed before it (ids and timestamps made here) so it can be stored.
 * 4. The route answers 202 and the job is sent to the queue after the response (`waitUntil`; a
 *    lost send is the sweeper's).
 *
 * Work that does not start gives its budget reservation back.
 *
 * A route may also say how to answer when ONLY an AI limit or the AI budget refused (`withoutModel`):
 * then step 3 writes that plan instead, whose job is already finished, nothing is queued and the
 * reservation is given back, so the answer costs no model call (docs/SUPPORT.md: a message screened
 * as a possible crisis is never answered with a quota banner).
 */
import type { BatchItem } from "drizzle-orm/batch";
import { sql, type SQL } from "drizzle-orm";
import type { Context } from "hono";
import type { AppEnv } from "../context.ts";
import { ApiError } from "../errors.ts";
import {
  idempotentRequest,
  keyIsFree,
  lockKey,
  rememberResponse,
  replayed,
  storedFrom,
  storedResponse,
  type IdempotentRequest,
  type ReplaySubject,
  type StoredResponse,
  type StoredRow,
} from "../http/idempotency.ts";
import type { Db } from "../platform/db.ts";
import { clientAddress } from "../platform/limits.ts";
import { admitAiWork, enforceAdmission, type AiAdmission } from "../platform/quota.ts";
import { enqueueJob, type JobRow } from "./service.ts";

export interface WorkPlan<B> {
  job: JobRow;
  /** The 202 body, made before the write so the idempotency record can hold it. */
  body: B;
  /** The assessment or conversation the work belongs to: its deletion deletes the stored replay. */
  subject: ReplaySubject;
  /** The domain statements. They must insert `job`, and only when `keyFree` and their own conditions hold. */
  statements: (keyFree: SQL) => BatchItem<"pg">[];
}

export interface StartOptions<T, B> {
  userId: string;
  /** The `Idempotency-Key` header, if sent. */
  idempotencyKey: string | undefined;
  /** The validated body, part of what a key is bound to. */
  requestBody: unknown;
  /** A read the plan needs, run in parallel with the admission. */
  preload: () => Promise<T>;
  /** Checks the preloaded state and plans the work; throws an ApiError to refuse. */
  plan: (preloaded: T) => WorkPlan<B> | Promise<WorkPlan<B>>;
  /** The error when the guarded statements wrote nothing (the subject changed or vanished meanwhile). */
  notWritten: () => ApiError;
  /**
   * Plans the answer when the admission refused only for an AI limit or the AI budget; undefined
   * (or no `withoutModel`) keeps the 429. Its statements must insert `job` already finished:
   * nothing is sent to the queue.
   */
  withoutModel?: (preloaded: T) => WorkPlan<B> | undefined | Promise<WorkPlan<B> | undefined>;
}

type Batch = [BatchItem<"pg">, ...BatchItem<"pg">[]];

/**
 * Step 3: the one batch. With a key: lock it, write the work if the key is free, remember the
 * response if the work was written, then read back whether it was and what the key holds now.
 */
async function writeWork<B>(db: Db, idem: IdempotentRequest | undefined, plan: WorkPlan<B>) {
  const jobWritten = sql`exists (select 1 from jobs where id = ${plan.job.id})`;
  const check = db.execute<{ written: boolean | string }>(sql`select ${jobWritten} as written`);
  const items: BatchItem<"pg">[] = idem
    ? [lockKey(db, idem), ...plan.statements(keyIsFree(idem)), rememberResponse(db, idem, 202, plan.body, jobWritten, plan.subject), check, storedResponse(db, idem)]
    : [...plan.statements(keyIsFree(undefined)), check];
  const results = (await db.batch(items as Batch)) as { rows: unknown[] }[];
  const checked = results[idem ? results.length - 2 : results.length - 1]?.rows[0] as { written: boolean | string } | undefined;
  const written = [true, "true", "t"].includes(checked?.written ?? false);
  const stored = idem && !written ? storedFrom((results.at(-1)?.rows ?? []) as StoredRow[]) : undefined;
  return { written, stored };
}

/**
 * Runs steps 1-4 and resolves to the 202 body (the first one again for a replayed key).
 *
 * @example
 * return c.json(await startAiWork(c, { userId, idempotencyKey, requestBody, preload, plan, notWritten }), 202);
 */
export async function startAiWork<T, B>(c: Context<AppEnv>, options: StartOptions<T, B>): Promise<B> {
  const services = c.get("services");
  const db = services.db.primary;
  const idem = await idempotentRequest(c, options.userId, options.idempotencyKey, options.requestBody);

  const admitting = admitAiWork(services, { userId: options.userId, address: clientAddress(c) }, (work) => c.executionCtx.waitUntil(work));
  let admission: AiAdmission;
  let stored: StoredResponse | undefined;
  let preloaded: T;
  try {
    [admission, stored, preloaded] = await Promise.all([
      admitting,
      idem ? storedResponse(db, idem).then((r) => storedFrom(r.rows)) : undefined,
      options.preload(),
    ]);
  } catch (err) {
    c.executionCtx.waitUntil(admitting.then((a) => a.release(), () => undefined));
    throw err;
  }
  const giveBack = () => c.executionCtx.waitUntil(admission.release());

  if (idem && stored) {
    giveBack();
    return replayed(c, stored, idem) as B;
  }
  let refusal: ApiError | undefined;
  try {
    enforceAdmission(c, admission);
  } catch (err) {
    // Only the quotas' 429s reach here (enforceAdmission gave the reservation back).
    if (!options.withoutModel || !(err instanceof ApiError)) throw err;
    refusal = err;
  }

  let plan: WorkPlan<B>;
  let outcome: Awaited<ReturnType<typeof writeWork<B>>>;
  try {
    if (refusal) {
      const answered = await options.withoutModel?.(preloaded);
      if (!answered) throw refusal;
      plan = answered;
    } else {
      plan = await options.plan(preloaded);
    }
    outcome = await writeWork(db, idem, plan);
  } catch (err) {
    giveBack();
    throw err;
  }

  if (outcome.written) {
    // After the response: the job is committed, and a lost send is the sweeper's to recover.
    if (!refusal) c.executionCtx.waitUntil(enqueueJob(services, c.get("logger"), plan.job.id));
    c.header("Location", `/api/v1/jobs/${plan.job.id}`);
    return plan.body;
  }
  giveBack();
  if (idem && outcome.stored) return replayed(c, outcome.stored, idem) as B;
  throw options.notWritten();
}
