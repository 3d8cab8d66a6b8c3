/**
 * The database schema: the one source of truth for tables, keys and indexes.
 * Migrations in drizzle/ are generated from this file (`npm run db:generate`).
 */
import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp("updated_at", { withTimezone: true }).notNull().defaultNow();

/** Shapes stored as jsonb; the feature modules validate them with zod before they get here. */
export interface StoredQuestion {
  id: string;
  text: string;
  type: "likert" | "single_choice" | "text";
  options?: { value: string | number; label: string }[];
  min?: number;
  max?: number;
  maxLength?: number;
  required: boolean;
  section?: string;
}
export interface StoredScale {
  id: string;
  name: string;
  items: { questionId: string; reverse: boolean }[];
  /** How the item values combine: mean or sum, then an optional multiplier (WHO-5: sum x 4). */
  method?: "mean" | "sum";
  multiplier?: number;
  description?: string;
  /** A score at or below this marks the assessment `needsSupport` (WHO-5's well-being scale: 28). */
  supportAtOrBelow?: number;
}
export type Answers = Record<string, number | string>;
export type Scores = Record<string, number>;

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey(),
    /** Stored trimmed and lower-cased; unique. */
    email: text("email").notNull(),
    displayName: text("display_name").notNull(),
    /** Self-describing: `pbkdf2-sha256$<iterations>$<salt>$<hash>` or a legacy `$2b$...` bcrypt hash. */
    passwordHash: text("password_hash").notNull(),
    role: text("role", { enum: ["user", "admin"] }).notNull().default("user"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("users_email_key").on(t.email),
    check("users_role_check", sql`${t.role} in ('user', 'admin')`),
  ],
);

export const refreshTokens = pgTable(
  "refresh_tokens",
  {
    id: uuid("id").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** Every token descended from one login shares a family; reuse of a spent token revokes it. */
    familyId: uuid("family_id").notNull(),
    /** SHA-256 of the token; the token itself is never stored. */
    tokenHash: text("token_hash").notNull(),
    createdAt: createdAt(),
    /** Idle expiry of this token. */
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    /** Absolute expiry of the whole family (the login). */
    familyExpiresAt: timestamp("family_expires_at", { withTimezone: true }).notNull(),
    /** Set when the token was exchanged for a new one. */
    spentAt: timestamp("spent_at", { withTimezone: true }),
    /** The token it was exchanged for: a replay within the grace window answers this one again. */
    successorId: uuid("successor_id"),
    /** That successor, sealed with a pad only this token's holder can derive (`sealSuccessor`). */
    successorSeal: text("successor_seal"),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("refresh_tokens_token_hash_key").on(t.tokenHash),
    index("refresh_tokens_family_idx").on(t.familyId),
    index("refresh_tokens_user_idx").on(t.userId),
  ],
);

export const templates = pgTable(
  "templates",
  {
    id: uuid("id").primaryKey(),
    slug: text("slug").notNull(),
    /** The version new assessments start with; older versions stay for the assessments that pinned them. */
    currentVersion: integer("current_version").notNull(),
    published: boolean("published").notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("templates_slug_key").on(t.slug)],
);

/** Immutable once written: a change to a template is a new row with the next version number. */
export const templateVersions = pgTable(
  "template_versions",
  {
    id: uuid("id").primaryKey(),
    templateId: uuid("template_id")
      .notNull()
      .references(() => templates.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    title: text("title").notNull(),
    description: text("description").notNull(),
    estimatedMinutes: integer("estimated_minutes").notNull(),
    questions: jsonb("questions").$type<StoredQuestion[]>().notNull(),
    scales: jsonb("scales").$type<StoredScale[]>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("template_versions_template_version_key").on(t.templateId, t.version),
    check("template_versions_version_check", sql`${t.version} >= 1`),
  ],
);

export const assessments = pgTable(
  "assessments",
  {
    id: uuid("id").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    templateVersionId: uuid("template_version_id")
      .notNull()
      .references(() => templateVersions.id, { onDelete: "restrict" }),
    /** Denormalised from the pinned version so lists need no join. */
    templateSlug: text("template_slug").notNull(),
    templateVersion: integer("template_version").notNull(),
    status: text("status", { enum: ["draft", "analyzing", "complete", "failed"] })
      .notNull()
      .default("draft"),
    answers: jsonb("answers").$type<Answers>().notNull().default({}),
    scores: jsonb("scores").$type<Scores>(),
    analysis: text("analysis"),
    /** Set on submit: a score is at or below its scale's `supportAtOrBelow` (docs/SUPPORT.md). */
    needsSupport: boolean("needs_support").notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    submittedAt: timestamp("submitted_at", { withTimezone: true }),
    completedAt: timestamp("completed_at", { withTimezone: true }),
  },
  (t) => [
    index("assessments_user_created_idx").on(t.userId, t.createdAt.desc(), t.id.desc()),
    index("assessments_template_version_idx").on(t.templateVersionId),
    check("assessments_status_check", sql`${t.status} in ('draft', 'analyzing', 'complete', 'failed')`),
  ],
);

export const conversations = pgTable(
  "conversations",
  {
    id: uuid("id").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    assessmentId: uuid("assessment_id").references(() => assessments.id, { onDelete: "set null" }),
    title: text("title").notNull(),
    createdAt: createdAt(),
    lastMessageAt: timestamp("last_message_at", { withTimezone: true }),
    /** The latest message screened as a possible crisis (docs/SUPPORT.md); never the text. */
    supportFlaggedAt: timestamp("support_flagged_at", { withTimezone: true }),
  },
  (t) => [
    index("conversations_user_created_idx").on(t.userId, t.createdAt.desc(), t.id.desc()),
    index("conversations_assessment_idx").on(t.assessmentId),
  ],
);

export const messages = pgTable(
  "messages",
  {
    id: uuid("id").primaryKey(),
    conversationId: uuid("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    /** Denormalised owner, so ownership checks and account deletion need no join. */
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: ["user", "assistant"] }).notNull(),
    content: text("content").notNull(),
    status: text("status", { enum: ["pending", "complete", "failed"] }).notNull(),
    error: text("error"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("messages_conversation_created_idx").on(t.conversationId, t.createdAt, t.id),
    index("messages_user_idx").on(t.userId),
    check("messages_role_check", sql`${t.role} in ('user', 'assistant')`),
    check("messages_status_check", sql`${t.status} in ('pending', 'complete', 'failed')`),
  ],
);

export const jobs = pgTable(
  "jobs",
  {
    id: uuid("id").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["assessment_analysis", "chat_reply"] }).notNull(),
    status: text("status", { enum: ["queued", "running", "succeeded", "failed"] })
      .notNull()
      .default("queued"),
    /** The assessment (analysis) or the pending assistant message (chat reply) the job fills in. */
    subjectId: uuid("subject_id").notNull(),
    attempts: integer("attempts").notNull().default(0),
    error: text("error"),
    model: text("model"),
    promptTokens: integer("prompt_tokens"),
    outputTokens: integer("output_tokens"),
    /** A running job whose lease has passed is presumed crashed; the sweeper re-enqueues it. */
    leaseExpiresAt: timestamp("lease_expires_at", { withTimezone: true }),
    /** Failed because the queue gave up on it (the dead-letter queue), not by the consumer's own decision. */
    deadLettered: boolean("dead_lettered").notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    index("jobs_user_idx").on(t.userId, t.createdAt.desc()),
    /** The usage report: jobs finished per UTC day (outcomes, time to finish). */
    index("jobs_finished_idx")
      .on(t.finishedAt)
      .where(sql`${t.finishedAt} is not null`),
    index("jobs_unfinished_idx")
      .on(t.status, t.updatedAt)
      .where(sql`${t.status} in ('queued', 'running')`),
    check("jobs_kind_check", sql`${t.kind} in ('assessment_analysis', 'chat_reply')`),
    check("jobs_status_check", sql`${t.status} in ('queued', 'running', 'succeeded', 'failed')`),
    check("jobs_attempts_check", sql`${t.attempts} >= 0`),
  ],
);

/**
 * One row per model call (answered or failed), written in the same statement as the job transition
 * that follows the call: what the usage report counts per day, model and account. It outlives the
 * job and, anonymised, the account (`user_id` set null), so past spend stays true.
 */
export const modelCalls = pgTable(
  "model_calls",
  {
    id: uuid("id").primaryKey(),
    jobId: uuid("job_id").notNull(),
    userId: uuid("user_id").references(() => users.id, { onDelete: "set null" }),
    model: text("model").notNull(),
    /** The job's attempt this call was (1 = the first; the fallback model answers even attempts). */
    attempt: integer("attempt").notNull(),
    /** False when the model failed (no answer, no tokens billed). */
    answered: boolean("answered").notNull(),
    /** From the SDK's usageMetadata: promptTokenCount / candidatesTokenCount. */
    inputTokens: integer("input_tokens"),
    outputTokens: integer("output_tokens"),
    createdAt: createdAt(),
  },
  (t) => [
    index("model_calls_created_idx").on(t.createdAt),
    index("model_calls_user_idx").on(t.userId),
    check("model_calls_attempt_check", sql`${t.attempt} >= 1`),
  ],
);

/** The first response to an `Idempotency-Key`, replayed for 24 h. */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    /** Which route and body the key was first used with; the same key on another request is a 409. */
    requestHash: text("request_hash").notNull(),
    statusCode: integer("status_code").notNull(),
    responseBody: jsonb("response_body").notNull(),
    /**
     * What the stored response is about: deleting that assessment or conversation (or the account)
     * deletes the replay with it, since the body holds its content.
     */
    assessmentId: uuid("assessment_id").references(() => assessments.id, { onDelete: "cascade" }),
    conversationId: uuid("conversation_id").references(() => conversations.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.key] }),
    index("idempotency_keys_expires_idx").on(t.expiresAt),
    // The cascades look replays up by their subject.
    index("idempotency_keys_assessment_idx").on(t.assessmentId).where(sql`${t.assessmentId} is not null`),
    index("idempotency_keys_conversation_idx").on(t.conversationId).where(sql`${t.conversationId} is not null`),
  ],
);
