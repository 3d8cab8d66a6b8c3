/**
 * Templates: published reference data, read through the shared cache (1 h), and the admin's
 * writes, each ONE batch. A version is never changed once written: a change publishes the next
 * version and moves `current_version`, so assessments keep the version they pinned.
 */
import { and, asc, eq, sql } from "drizzle-orm";
import type { Config } from "../config.ts";
import { templates, templateVersions, type StoredQuestion, type StoredScale } from "../db/schema.ts";
import { ApiError } from "../errors.ts";
import { CACHE_TTL_SECONDS, cacheFamily, type Cache, type CacheFamily } from "../platform/cache.ts";
import { isUniqueViolation, type Database, type Db } from "../platform/db.ts";
import { newId } from "../platform/ids.ts";
import type { NewTemplate, Template, TemplateContent, TemplateSummary } from "./schemas.ts";

/** Every cached template read: the list and each slug. */
export function templatesFamily(config: Config): CacheFamily {
  return cacheFamily(config, CACHE_TTL_SECONDS.template, "templates");
}

/** Joins a template to the version new assessments start with. */
export const isCurrentVersion = and(
  eq(templateVersions.templateId, templates.id),
  eq(templateVersions.version, templates.currentVersion),
);

const summaryColumns = {
  id: templates.id,
  slug: templates.slug,
  title: templateVersions.title,
  description: templateVersions.description,
  version: templateVersions.version,
  questionCount: sql<number>`jsonb_array_length(${templateVersions.questions})`.mapWith(Number),
  estimatedMinutes: templateVersions.estimatedMinutes,
};

/** Published templates, by slug (one query). */
export async function listPublishedTemplates(db: Db): Promise<TemplateSummary[]> {
  return db
    .select(summaryColumns)
    .from(templates)
    .innerJoin(templateVersions, isCurrentVersion)
    .where(eq(templates.published, true))
    .orderBy(asc(templates.slug));
}

/**
 * The current version of a published template, or, with `version`, that version whatever the
 * template's state: versions are immutable and assessments started on an older (or since
 * unpublished) version still need its questions. One query.
 */
export async function findPublishedTemplate(db: Db, slug: string, version?: number): Promise<Template | undefined> {
  const [row] = await db
    .select({ ...summaryColumns, questions: templateVersions.questions, scales: templateVersions.scales })
    .from(templates)
    .innerJoin(
      templateVersions,
      version === undefined
        ? isCurrentVersion
        : and(eq(templateVersions.templateId, templates.id), eq(templateVersions.version, version)),
    )
    .where(version === undefined ? and(eq(templates.slug, slug), eq(templates.published, true)) : eq(templates.slug, slug))
    .limit(1);
  return row;
}

/** Published templates are reference data: a cache miss reads the replica unless they were just written. */
const readerOf = (database: Database) => (replicaSafe: boolean) => (replicaSafe ? database.replica : database.primary);

export function readTemplateList(database: Database, cache: Cache, config: Config): Promise<TemplateSummary[]> {
  const reader = readerOf(database);
  return cache.read(templatesFamily(config), "list", (replicaSafe) => listPublishedTemplates(reader(replicaSafe)));
}

export function readTemplate(database: Database, cache: Cache, config: Config, slug: string, version?: number): Promise<Template | undefined> {
  const member = version === undefined ? `slug:${slug}` : `slug:${slug}@${version}`;
  const reader = readerOf(database);
  return cache.read(templatesFamily(config), member, (replicaSafe) => findPublishedTemplate(reader(replicaSafe), slug, version));
}

function templateOf(id: string, slug: string, version: number, content: TemplateContent): Template {
  const questions: StoredQuestion[] = content.questions;
  const scales: StoredScale[] = content.scales;
  return {
    id,
    slug,
    title: content.title,
    description: content.description,
    version,
    questionCount: questions.length,
    estimatedMinutes: content.estimatedMinutes,
    questions,
    scales,
  };
}

/** Creates a template with version 1, published. 409 when the slug is taken. */
export async function createTemplate(db: Db, input: NewTemplate): Promise<Template> {
  const { slug, ...content } = input;
  const templateId = newId();
  try {
    await db.batch([
      db.insert(templates).values({ id: templateId, slug, currentVersion: 1, published: true }),
      db.insert(templateVersions).values({ id: newId(), templateId, version: 1, ...content }),
    ]);
  } catch (err) {
    if (isUniqueViolation(err, "templates_slug_key")) {
      throw new ApiError("conflict", `A template with slug '${slug}' already exists`, { cause: err });
    }
    throw err;
  }
  return templateOf(templateId, slug, 1, content);
}

/**
 * Publishes `content` as the next version of `slug` (and republishes an unpublished template).
 * One batch: bump `current_version`, then insert the version row from the bumped value.
 */
export async function publishTemplateVersion(db: Db, slug: string, content: TemplateContent): Promise<Template> {
  const [bumped] = await db.batch([
    db
      .update(templates)
      .set({ currentVersion: sql`${templates.currentVersion} + 1`, published: true, updatedAt: sql`now()` })
      .where(eq(templates.slug, slug))
      .returning({ id: templates.id, version: templates.currentVersion }),
    db.insert(templateVersions).select(
      db
        .select({
          id: sql`${newId()}::uuid`.as("id"),
          templateId: templates.id,
          version: templates.currentVersion,
          title: sql`${content.title}`.as("title"),
          description: sql`${content.description}`.as("description"),
          estimatedMinutes: sql`${content.estimatedMinutes}::integer`.as("estimated_minutes"),
          questions: sql`${JSON.stringify(content.questions)}::jsonb`.as("questions"),
          scales: sql`${JSON.stringify(content.scales)}::jsonb`.as("scales"),
          createdAt: sql`now()`.as("created_at"),
        })
        .from(templates)
        .where(eq(templates.slug, slug)),
    ),
  ]);
  const row = bumped[0];
  if (!row) throw new ApiError("not_found", `No template '${slug}'`);
  return templateOf(row.id, slug, row.version, content);
}

/** Hides a template from lists and new assessments; its versions stay for existing ones. */
export async function unpublishTemplate(db: Db, slug: string): Promise<void> {
  const rows = await db
    .update(templates)
    .set({ published: false, updatedAt: sql`now()` })
    .where(eq(templates.slug, slug))
    .returning({ id: templates.id });
  if (rows.length === 0) throw new ApiError("not_found", `No template '${slug}'`);
}
