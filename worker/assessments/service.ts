/**
 * Assessments: the rules and data access behind the routes, plus what `submit` builds on.
 * Every read is one query (lists and single rows are cached per user for a minute); every write
 * is one statement or batch, with ownership and state checked in SQL, followed by a revision of the
 * cached reads it changed (reviseAssessmentCache) before the answer goes out.
 */
import { and, desc, eq, getTableColumns, sql } from "drizzle-orm";
import type { Config } from "../config.ts";
import type { Services } from "../context.ts";
import { assessments, templates, templateVersions, type Answers, type StoredQuestion, type StoredScale } from "../db/schema.ts";
import { ApiError } from "../errors.ts";
import { CACHE_TTL_SECONDS, cacheFamily, createCache, DROP, type Cache, type CacheFamily } from "../platform/cache.ts";
import type { Db } from "../platform/db.ts";
import { newId } from "../platform/ids.ts";
import { isCurrentVersion } from "../templates/service.ts";
import { answerProblems, answersFitPinnedQuestions } from "./answers.ts";
import { cursorAt, decodeCursor, pageFrom, type Cursor } from "../http/cursor.ts";
import type { Assessment, AssessmentPage } from "./schemas.ts";

export { missingRequiredAnswers } from "./answers.ts";
export { scoreAnswers, scoresNeedSupport } from "./scoring.ts";

export type AssessmentRow = typeof assessments.$inferSelect;

/** The template version an assessment pinned: what its answers are checked and scored against. */
export interface PinnedTemplate {
  versionId: string;
  slug: string;
  version: number;
  questions: StoredQuestion[];
  scales: StoredScale[];
}

export interface OwnedAssessment {
  assessment: AssessmentRow;
  template: PinnedTemplate;
}

/** The API shape of a row. */
export function toAssessment(row: AssessmentRow): Assessment {
  return {
    id: row.id,
    templateSlug: row.templateSlug,
    templateVersion: row.templateVersion,
    status: row.status,
    answers: row.answers,
    scores: row.scores ?? null,
    analysis: row.analysis ?? null,
    needsSupport: row.needsSupport,
    createdAt: row.createdAt.toISOString(),
    submittedAt: row.submittedAt?.toISOString() ?? null,
    completedAt: row.completedAt?.toISOString() ?? null,
  };
}

/** Every cached read of one user's assessments (pages and single assessments). */
export function assessmentsFamily(config: Config, userId: string): CacheFamily {
  return cacheFamily(config, CACHE_TTL_SECONDS.assessmentList, "assessments", userId);
}

/** Rows that a background job is about to change are read through, never cached. */
const settled = (a: Assessment) => a.status !== "analyzing";

/**
 * After a write to one assessment, before answering: its cached reads show `updated` (write-through
 * from the write's RETURNING), or are dropped when it is gone or about to change again (analyzing).
 * Pages that do not hold it, and the user's other assessments, stay cached; trends are dropped
 * unless the write only changed a draft. `pagesShift`: the write
 * added or removed an assessment, so every cached page of the list is dropped (its items stay).
 */
export function reviseAssessmentCache(
  cache: Cache,
  config: Config,
  userId: string,
  id: string,
  updated: Assessment | undefined,
  { pagesShift = false }: { pagesShift?: boolean } = {},
): Promise<void> {
  const storable = updated !== undefined && settled(updated);
  const revision = (member: string, value: unknown) => {
    if (member === `item:${id}`) return storable ? updated : DROP;
    // A trend (GET /me/trends) holds completed results: it changes when one completes or is deleted.
    if (member.startsWith("trend:")) return updated?.status === "draft" ? undefined : DROP;
    if (!member.startsWith("list:")) return undefined;
    if (pagesShift) return DROP;
    const page = value as AssessmentPage;
    if (!page.items.some((a) => a.id === id)) return undefined;
    return storable ? { ...page, items: page.items.map((a) => (a.id === id ? updated : a)) } : DROP;
  };
  return cache.revise(assessmentsFamily(config, userId), revision, storable ? { [`item:${id}`]: updated } : {});
}

/** After a background job changed an assessment it does not hold: its cached reads are dropped. Never throws. */
export function forgetAssessment(services: Pick<Services, "redis" | "config" | "logger">, userId: string, id: string): Promise<void> {
  return reviseAssessmentCache(createCache(services), services.config, userId, id, undefined);
}



const owned = (userId: string, id: string) => and(eq(assessments.id, id), eq(assessments.userId, userId));

/**
 * An assessment of `userId` with its pinned template version, in one round trip; undefined when
 * there is none or it belongs to someone else.
 */
export async function loadOwnedAssessment(db: Db, userId: string, id: string): Promise<OwnedAssessment | undefined> {
  const [row] = await db
    .select({
      assessment: assessments,
      template: {
        versionId: templateVersions.id,
        slug: assessments.templateSlug,
        version: templateVersions.version,
        questions: templateVersions.questions,
        scales: templateVersions.scales,
      },
    })
    .from(assessments)
    .innerJoin(templateVersions, eq(templateVersions.id, assessments.templateVersionId))
    .where(owned(userId, id))
    .limit(1);
  return row;
}

function pgErrorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === "object" && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if ("code" in e && typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
  }
  return undefined;
}

/** Starts a draft on the template's current version (one INSERT ... SELECT). */
export async function createAssessment(db: Db, userId: string, templateSlug: string): Promise<Assessment> {
  let rows: AssessmentRow[];
  try {
    rows = await db
      .insert(assessments)
      .select(
        db
          .select({
            id: sql`${newId()}::uuid`.as("id"),
            userId: sql`${userId}::uuid`.as("user_id"),
            templateVersionId: templateVersions.id,
            templateSlug: templates.slug,
            templateVersion: templateVersions.version,
            status: sql`'draft'`.as("status"),
            answers: sql`'{}'::jsonb`.as("answers"),
            scores: sql`null::jsonb`.as("scores"),
            analysis: sql`null::text`.as("analysis"),
            needsSupport: sql`false`.as("needs_support"),
            createdAt: sql`now()`.as("created_at"),
            updatedAt: sql`now()`.as("updated_at"),
            submittedAt: sql`null::timestamptz`.as("submitted_at"),
            completedAt: sql`null::timestamptz`.as("completed_at"),
          })
          .from(templates)
          .innerJoin(templateVersions, isCurrentVersion)
          .where(and(eq(templates.slug, templateSlug), eq(templates.published, true))),
      )
      .returning();
  } catch (err) {
    // The token outlived its account: the user row is gone.
    if (pgErrorCode(err) === "23503") throw new ApiError("unauthorized", "This account no longer exists", { cause: err });
    throw err;
  }
  const [row] = rows;
  if (!row) throw new ApiError("not_found", `No published template '${templateSlug}'`);
  return toAssessment(row);
}

/** One page, newest first, keyset on (created_at, id); `limit + 1` rows tell whether more exist. */
export async function listAssessments(db: Db, userId: string, limit: number, after?: Cursor): Promise<AssessmentPage> {
  const rows = await db
    .select({ ...getTableColumns(assessments), cursorAt: cursorAt(assessments.createdAt) })
    .from(assessments)
    .where(
      and(
        eq(assessments.userId, userId),
        after && sql`(${assessments.createdAt}, ${assessments.id}) < (${after.createdAt}::timestamptz, ${after.id}::uuid)`,
      ),
    )
    .orderBy(desc(assessments.createdAt), desc(assessments.id))
    .limit(limit + 1);
  return pageFrom(rows, limit, toAssessment);
}

/** A page through the cache; a cursor we did not issue is refused (400) before anything is read. */
export function readAssessmentPage(db: Db, cache: Cache, config: Config, userId: string, limit: number, cursor?: string): Promise<AssessmentPage> {
  const after = cursor === undefined ? undefined : decodeCursor(cursor);
  return cache.read(
    assessmentsFamily(config, userId),
    `list:${limit}:${cursor ?? ""}`,
    () => listAssessments(db, userId, limit, after),
    { storable: (page) => page.items.every(settled) },
  );
}

export async function findAssessment(db: Db, userId: string, id: string): Promise<Assessment | undefined> {
  const [row] = await db.select().from(assessments).where(owned(userId, id)).limit(1);
  return row && toAssessment(row);
}

export function readAssessment(db: Db, cache: Cache, config: Config, userId: string, id: string): Promise<Assessment | undefined> {
  return cache.read<Assessment | undefined>(assessmentsFamily(config, userId), `item:${id}`, () => findAssessment(db, userId, id), {
    storable: (assessment) => assessment !== undefined && settled(assessment),
    notFoundTtlSeconds: CACHE_TTL_SECONDS.notFound,
  });
}

/**
 * Merges `answers` into a draft. One batch: an UPDATE that only matches when the assessment is
 * the caller's, still a draft, and every answer fits its question; then the row's state, read
 * only to explain a refusal (404, 409, or 400 with one detail per bad answer).
 */
export async function saveAnswers(db: Db, userId: string, id: string, answers: Answers): Promise<Assessment> {
  const patch = JSON.stringify(answers);
  const [updated, current] = await db.batch([
    db
      .update(assessments)
      .set({ answers: sql`${assessments.answers} || ${patch}::jsonb`, updatedAt: sql`now()` })
      .where(and(owned(userId, id), eq(assessments.status, "draft"), answersFitPinnedQuestions(patch)))
      .returning(),
    db
      .select({ status: assessments.status, questions: templateVersions.questions })
      .from(assessments)
      .innerJoin(templateVersions, eq(templateVersions.id, assessments.templateVersionId))
      .where(owned(userId, id))
      .limit(1),
  ]);
  const [row] = updated;
  if (row) return toAssessment(row);
  const [state] = current;
  if (!state) throw new ApiError("not_found", "Assessment not found");
  if (state.status !== "draft") {
    throw new ApiError("conflict", `Answers can only change while the assessment is a draft (it is ${state.status})`);
  }
  const details = answerProblems(state.questions, answers);
  throw new ApiError("validation_failed", "Some answers do not fit their questions", {
    details: details.length > 0 ? details : [{ path: "answers", message: "Some answers do not fit their questions" }],
  });
}

export async function deleteAssessment(db: Db, userId: string, id: string): Promise<void> {
  const rows = await db.delete(assessments).where(owned(userId, id)).returning({ id: assessments.id });
  if (rows.length === 0) throw new ApiError("not_found", "Assessment not found");
}
