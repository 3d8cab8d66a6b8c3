/**
 * What each kind of job reads before calling the model, and the effect its answer has: a chat reply
 * fills in the pending assistant message; an analysis completes the assessment.
 */
import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import {
  analysisPrompt,
  CHAT_HISTORY_MESSAGES,
  chatPrompt,
  pastResult,
  scoredScales,
  TREND_CONTEXT_RESULTS,
  withCare,
  type AiPrompt,
  type InstrumentResult,
  type PastResult,
} from "../ai/prompts.ts";
import { screenMessage } from "../support/screening.ts";
import { assessments, conversations, messages, templateVersions, type StoredScale } from "../db/schema.ts";
import type { Db } from "../platform/db.ts";
import type { JobRow } from "./service.ts";

/** The prompt to send, or why the job cannot run (its subject is gone or already settled). */
export type PreparedTask = { prompt: AiPrompt } | { gone: string };

const instrumentColumns = {
  scores: assessments.scores,
  title: templateVersions.title,
  description: templateVersions.description,
  questions: templateVersions.questions,
  scales: templateVersions.scales,
};

type InstrumentRow = { scores: Record<string, number> | null } & Pick<
  typeof templateVersions.$inferSelect,
  "title" | "description" | "questions" | "scales"
>;

/**
 * The owner's completed results of the subject's instrument, as a JSON array (oldest first) of
 * `{ completedAt, scores }`: a scalar subquery, so it rides on the job's existing read at no extra
 * round trip. `previousOnly` takes the last one completed before the subject was submitted;
 * otherwise the latest TREND_CONTEXT_RESULTS.
 */
function resultsOfSameInstrument(previousOnly: boolean): SQL<string | null> {
  const before = previousOnly ? sql`and p.id <> ${assessments.id} and p.completed_at < coalesce(${assessments.submittedAt}, now())` : sql``;
  const limit = previousOnly ? 1 : TREND_CONTEXT_RESULTS;
  return sql<string | null>`(
    select json_agg(json_build_object('completedAt', r.completed_at, 'scores', r.scores) order by r.completed_at, r.id)::text
    from (select p.id, p.completed_at, p.scores from assessments p
          where p.user_id = ${assessments.userId} and p.template_slug = ${assessments.templateSlug}
            and p.status = 'complete' and p.scores is not null ${before}
          order by p.completed_at desc, p.id desc limit ${limit}) r)`;
}

/** The results read by `resultsOfSameInstrument`, named by the subject's scales. */
function pastResults(json: string | null, scales: StoredScale[]): PastResult[] {
  const parsed: unknown = json === null ? [] : JSON.parse(json);
  if (!Array.isArray(parsed)) return [];
  return parsed.flatMap((item: unknown) => {
    if (!item || typeof item !== "object" || !("completedAt" in item) || !("scores" in item)) return [];
    const { completedAt, scores } = item;
    if (typeof completedAt !== "string" || !scores || typeof scores !== "object") return [];
    return [pastResult(scales, new Date(completedAt), scores as Record<string, number>)];
  });
}

function instrumentResult(row: InstrumentRow): InstrumentResult | undefined {
  if (!row.scores) return undefined;
  return { title: row.title, description: row.description, scales: scoredScales(row.questions, row.scales, row.scores) };
}

async function prepareAnalysis(db: Db, job: JobRow): Promise<PreparedTask> {
  const [row] = await db
    .select({ status: assessments.status, needsSupport: assessments.needsSupport, ...instrumentColumns, previous: resultsOfSameInstrument(true) })
    .from(assessments)
    .innerJoin(templateVersions, eq(templateVersions.id, assessments.templateVersionId))
    .where(eq(assessments.id, job.subjectId))
    .limit(1);
  if (!row) return { gone: "The assessment was deleted before its analysis was written." };
  const result = instrumentResult(row);
  if (row.status !== "analyzing" || !result) return { gone: "The assessment is no longer waiting for an analysis." };
  const prompt = analysisPrompt(result, pastResults(row.previous, row.scales)[0]);
  return { prompt: row.needsSupport ? withCare(prompt, "result") : prompt };
}

/** The pending reply, the messages before it and the linked assessment with its instrument's trend: one round trip. */
async function prepareChatReply(db: Db, job: JobRow): Promise<PreparedTask> {
  const reply = alias(messages, "reply");
  const [pending, history, linked] = await db.batch([
    db.select({ status: messages.status }).from(messages).where(eq(messages.id, job.subjectId)).limit(1),
    db
      .select({ role: messages.role, content: messages.content })
      .from(messages)
      .innerJoin(reply, eq(reply.conversationId, messages.conversationId))
      .where(
        and(
          eq(reply.id, job.subjectId),
          eq(messages.status, "complete"),
          sql`(${messages.createdAt}, ${messages.id}) < (${reply.createdAt}, ${reply.id})`,
        ),
      )
      .orderBy(desc(messages.createdAt), desc(messages.id))
      .limit(CHAT_HISTORY_MESSAGES),
    db
      .select({ ...instrumentColumns, trend: resultsOfSameInstrument(false) })
      .from(reply)
      .innerJoin(conversations, eq(conversations.id, reply.conversationId))
      .innerJoin(assessments, eq(assessments.id, conversations.assessmentId))
      .innerJoin(templateVersions, eq(templateVersions.id, assessments.templateVersionId))
      .where(eq(reply.id, job.subjectId))
      .limit(1),
  ]);
  if (!pending[0]) return { gone: "The conversation was deleted before the reply was written." };
  if (pending[0].status !== "pending") return { gone: "The reply is no longer pending." };
  const turns = history.reverse();
  if (!turns.some((m) => m.role === "user")) return { gone: "There is no message to reply to." };
  const context = linked[0] ? instrumentResult(linked[0]) : undefined;
  const prompt = chatPrompt(turns, context, linked[0] ? pastResults(linked[0].trend, linked[0].scales) : []);
  // The same deterministic screen the route ran before queueing, on the message this turn answers.
  const latest = turns.findLast((m) => m.role === "user");
  return { prompt: latest && screenMessage(latest.content).needsSupport ? withCare(prompt, "message") : prompt };
}

export function prepareTask(db: Db, job: JobRow): Promise<PreparedTask> {
  return job.kind === "chat_reply" ? prepareChatReply(db, job) : prepareAnalysis(db, job);
}

/** The answer's effect, as an UPDATE reading the finished job from the CTE `done` (see lifecycle.ts). */
export function answerEffect(job: JobRow, text: string): SQL {
  if (job.kind === "chat_reply") {
    return sql`update messages set content = ${text}, status = 'complete', error = null, updated_at = now()
               where id in (select subject_id from done) and status = 'pending' returning id`;
  }
  return sql`update assessments set analysis = ${text}, status = 'complete', completed_at = now(), updated_at = now()
             where id in (select subject_id from done) and status = 'analyzing' returning id`;
}
