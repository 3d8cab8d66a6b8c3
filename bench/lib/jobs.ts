/**
 * Reads the jobs table through the Neon stand-in (as an operator would through Neon's SQL API):
 * waiting for accepted work to finish, and checking that every job ended exactly once. Each query
 * here is one Neon request in the scope's counters: `queries` says how many to subtract.
 */
import { neon } from "@neondatabase/serverless";
import { sleep } from "./stats.ts";

export interface JobLedger {
  total: number;
  byStatus: Record<string, number>;
  /** Jobs still queued or running. */
  open: number;
}

export interface JobAudit extends JobLedger {
  /** Σ attempts: model calls the consumers were allowed to make (one per claim). */
  attempts: number;
  /** Accepted job ids (from 202 bodies) with no row: lost work. */
  missing: number;
  /** Terminal jobs without `finished_at`, or finished but not terminal. */
  inconsistentFinish: number;
  /** Jobs whose subject does not match their outcome (reply / analysis written iff succeeded). */
  inconsistentEffect: number;
  /** Chat replies per job: more than one assistant message per job would mean an effect ran twice. */
  duplicateReplies: number;
}

export class JobsDb {
  queries = 0;
  readonly #sql: ReturnType<typeof neon>;

  constructor(databaseUrl: string) {
    this.#sql = neon(databaseUrl);
  }

  async #query<T>(text: string, params: unknown[] = []): Promise<T[]> {
    this.queries += 1;
    return (await this.#sql.query(text, params)) as T[];
  }

  async ledger(): Promise<JobLedger> {
    const rows = await this.#query<{ status: string; n: string }>("select status, count(*)::int as n from jobs group by status");
    const byStatus = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    const total = Object.values(byStatus).reduce((a, b) => a + b, 0);
    return { total, byStatus, open: (byStatus.queued ?? 0) + (byStatus.running ?? 0) };
  }

  /** Polls until no job is open (or the time is up); `poke` runs between polls (e.g. the sweeper). */
  async drain(timeoutMs: number, poke?: () => Promise<void>, pollMs = 1_000): Promise<JobLedger & { waitedMs: number }> {
    const started = Date.now();
    for (;;) {
      const ledger = await this.ledger();
      if (ledger.open === 0 || Date.now() - started > timeoutMs) return { ...ledger, waitedMs: Date.now() - started };
      await poke?.();
      await sleep(pollMs);
    }
  }

  async audit(acceptedJobIds: string[]): Promise<JobAudit> {
    const ledger = await this.ledger();
    const [row] = await this.#query<Record<string, string>>(
      `select
         coalesce(sum(attempts), 0)::int as attempts,
         (select count(*) from unnest($1::uuid[]) as a(id) where not exists (select 1 from jobs j where j.id = a.id))::int as missing,
         count(*) filter (where (status in ('succeeded', 'failed')) <> (finished_at is not null))::int as inconsistent_finish,
         (select count(*) from jobs j join messages m on m.id = j.subject_id
            where j.kind = 'chat_reply' and not (
              (j.status = 'succeeded' and m.status = 'complete' and m.content <> '')
              or (j.status = 'failed' and m.status = 'failed')
              or (j.status in ('queued', 'running') and m.status = 'pending')))::int
         + (select count(*) from jobs j join assessments s on s.id = j.subject_id
            where j.kind = 'assessment_analysis' and not (
              (j.status = 'succeeded' and s.status = 'complete' and s.analysis is not null)
              or (j.status = 'failed' and s.status = 'failed')
              or (j.status in ('queued', 'running') and s.status = 'analyzing')))::int as inconsistent_effect,
         ((select count(*) from messages where role = 'assistant')
           - (select count(*) from jobs where kind = 'chat_reply'))::int as duplicate_replies
       from jobs`,
      [acceptedJobIds],
    );
    return {
      ...ledger,
      attempts: Number(row?.attempts ?? 0),
      missing: Number(row?.missing ?? 0),
      inconsistentFinish: Number(row?.inconsistent_finish ?? 0),
      inconsistentEffect: Number(row?.inconsistent_effect ?? 0),
      duplicateReplies: Number(row?.duplicate_replies ?? 0),
    };
  }
}

/** The job id of a 202 body (`{ job: { id } }`), if any. */
export function jobIdOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { job?: { id?: unknown } };
    return typeof parsed.job?.id === "string" ? parsed.job.id : undefined;
  } catch {
    return undefined;
  }
}
