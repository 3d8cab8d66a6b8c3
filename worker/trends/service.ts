/**
 * Trends: a user's completed scores on one instrument over time, per scale. One batch (one Neon
 * round trip) reads the template's versions and the user's completed assessments of it; the result
 * is cached as a member of the user's assessments family (assessments/service.ts), so every write
 * that already invalidates that family — submit, delete, the analysis job finishing — drops it too.
 */
import { and, asc, eq } from "drizzle-orm";
import type { Config } from "../config.ts";
import { assessments, templates, templateVersions, type StoredQuestion, type StoredScale } from "../db/schema.ts";
import type { Cache } from "../platform/cache.ts";
import type { Db } from "../platform/db.ts";
import { assessmentsFamily } from "../assessments/service.ts";
import { scaleRange } from "../assessments/scoring.ts";
import type { Trend, TrendScale } from "./schemas.ts";

interface VersionRow {
  version: number;
  current: number;
  title: string;
  questions: StoredQuestion[];
  scales: StoredScale[];
}

/**
 * What a score on `scale` means in one template version: its items (with the questions' text and
 * range), keying, method and multiplier. Two versions with the same definition give comparable
 * scores; labels and descriptions may change freely.
 */
function definitionOf(scale: StoredScale, questions: StoredQuestion[]): string {
  const byId = new Map(questions.map((q) => [q.id, q]));
  return JSON.stringify({
    method: scale.method ?? "mean",
    multiplier: scale.multiplier ?? 1,
    items: scale.items.map(({ questionId, reverse }) => {
      const q = byId.get(questionId);
      const values = (q?.options ?? []).map((o) => o.value);
      return [questionId, reverse, q?.text, q?.min, q?.max, values];
    }),
  });
}

/** The scales of every version, oldest version first, with the versions where each one's items changed. */
function scalesAcross(versions: VersionRow[]): Map<string, Omit<TrendScale, "points"> & { definition: string }> {
  const scales = new Map<string, Omit<TrendScale, "points"> & { definition: string }>();
  for (const { version, questions, scales: defined } of versions) {
    for (const scale of defined) {
      const definition = definitionOf(scale, questions);
      const known = scales.get(scale.id);
      const changedAt = known ? (known.definition === definition ? known.itemsChangedAt : [...known.itemsChangedAt, version]) : [];
      scales.set(scale.id, { id: scale.id, name: scale.name, ...scaleRange(questions, scale), itemsChangedAt: changedAt, definition });
    }
  }
  return scales;
}

/** The trend, or undefined when no template has that slug. */
export async function loadTrend(db: Db, userId: string, slug: string): Promise<Trend | undefined> {
  const [versions, results] = await db.batch([
    db
      .select({
        version: templateVersions.version,
        current: templates.currentVersion,
        title: templateVersions.title,
        questions: templateVersions.questions,
        scales: templateVersions.scales,
      })
      .from(templates)
      .innerJoin(templateVersions, eq(templateVersions.templateId, templates.id))
      .where(eq(templates.slug, slug))
      .orderBy(asc(templateVersions.version)),
    db
      .select({ id: assessments.id, templateVersion: assessments.templateVersion, completedAt: assessments.completedAt, scores: assessments.scores })
      .from(assessments)
      .where(and(eq(assessments.userId, userId), eq(assessments.templateSlug, slug), eq(assessments.status, "complete")))
      .orderBy(asc(assessments.completedAt), asc(assessments.id)),
  ]);
  const current = versions.find((v) => v.version === v.current) ?? versions.at(-1);
  if (!current) return undefined;

  const definitions = scalesAcross(versions);
  const points = new Map<string, TrendScale["points"]>();
  for (const row of results) {
    if (!row.completedAt || !row.scores) continue;
    for (const [scaleId, score] of Object.entries(row.scores)) {
      const list = points.get(scaleId) ?? [];
      list.push({ assessmentId: row.id, templateVersion: row.templateVersion, completedAt: row.completedAt.toISOString(), score });
      points.set(scaleId, list);
    }
  }
  const currentIds = current.scales.map((s) => s.id);
  const olderIds = [...definitions.keys()].filter((id) => !currentIds.includes(id) && points.has(id));
  const scales = [...currentIds, ...olderIds].flatMap((id) => {
    const scale = definitions.get(id);
    if (!scale) return [];
    const { definition: _definition, ...shown } = scale;
    return [{ ...shown, points: points.get(id) ?? [] }];
  });
  return { template: { slug, title: current.title }, scales };
}

/** The trend through the user's cached assessment reads. */
export function readTrend(db: Db, cache: Cache, config: Config, userId: string, slug: string): Promise<Trend | undefined> {
  return cache.read(assessmentsFamily(config, userId), `trend:${slug}`, () => loadTrend(db, userId, slug));
}
