/**
 * Conversations and their messages: the rules and data access behind the routes. Reads are one
 * round trip; ownership is part of every statement (another user's conversation is as absent as
 * a missing one). Posting a message plans a chat-reply job (see jobs/start.ts).
 */
import { and, asc, desc, eq, getTableColumns, sql, type SQL } from "drizzle-orm";
import { cursorAt, decodeCursor, pageFrom } from "../http/cursor.ts";
import { assessments, conversations, messages } from "../db/schema.ts";
import { ApiError } from "../errors.ts";
import type { Db } from "../platform/db.ts";
import { newId } from "../platform/ids.ts";
import { newJob, toJob, type JobRow } from "../jobs/service.ts";
import type { WorkPlan } from "../jobs/start.ts";
import type { Conversation, ConversationPage, Message, MessageAccepted, MessagePage } from "./schemas.ts";

export const DEFAULT_TITLE = "New conversation";

type ConversationRow = typeof conversations.$inferSelect;
type MessageRow = typeof messages.$inferSelect;

export function toConversation(row: ConversationRow): Conversation {
  return {
    id: row.id,
    title: row.title,
    assessmentId: row.assessmentId,
    createdAt: row.createdAt.toISOString(),
    lastMessageAt: row.lastMessageAt?.toISOString() ?? null,
    supportFlaggedAt: row.supportFlaggedAt?.toISOString() ?? null,
  };
}

export function toMessage(row: Pick<MessageRow, "id" | "role" | "content" | "status" | "createdAt">): Message {
  return { id: row.id, role: row.role, content: row.content, status: row.status, createdAt: row.createdAt.toISOString() };
}

const owned = (userId: string, id: string) => and(eq(conversations.id, id), eq(conversations.userId, userId));

/** Creates a conversation, linked to one of the caller's assessments when asked (404 otherwise). */
export async function createConversation(db: Db, userId: string, input: { title?: string; assessmentId?: string }): Promise<Conversation> {
  const values = { id: newId(), userId, title: input.title ?? DEFAULT_TITLE };
  if (!input.assessmentId) {
    const [row] = await db.insert(conversations).values(values).returning();
    if (!row) throw new Error("insert returned no row");
    return toConversation(row);
  }
  const [row] = await db
    .insert(conversations)
    .select(
      db
        .select({
          id: sql`${values.id}::uuid`.as("id"),
          userId: assessments.userId,
          assessmentId: assessments.id,
          title: sql`${values.title}::text`.as("title"),
          createdAt: sql`now()`.as("created_at"),
          lastMessageAt: sql`null::timestamptz`.as("last_message_at"),
          supportFlaggedAt: sql`null::timestamptz`.as("support_flagged_at"),
        })
        .from(assessments)
        .where(and(eq(assessments.id, input.assessmentId), eq(assessments.userId, userId))),
    )
    .returning();
  if (!row) throw new ApiError("not_found", "Assessment not found");
  return toConversation(row);
}

/** One page, newest first, keyset on (created_at, id). */
export async function listConversations(db: Db, userId: string, limit: number, cursor?: string): Promise<ConversationPage> {
  const after = cursor === undefined ? undefined : decodeCursor(cursor);
  const rows = await db
    .select({ ...getTableColumns(conversations), cursorAt: cursorAt(conversations.createdAt) })
    .from(conversations)
    .where(
      and(
        eq(conversations.userId, userId),
        after && sql`(${conversations.createdAt}, ${conversations.id}) < (${after.createdAt}::timestamptz, ${after.id}::uuid)`,
      ),
    )
    .orderBy(desc(conversations.createdAt), desc(conversations.id))
    .limit(limit + 1);
  return pageFrom(rows, limit, toConversation);
}

export async function getConversation(db: Db, userId: string, id: string): Promise<Conversation> {
  const [row] = await db.select().from(conversations).where(owned(userId, id)).limit(1);
  if (!row) throw new ApiError("not_found", "Conversation not found");
  return toConversation(row);
}

/** Deletes the conversation and its messages (cascade); their pending jobs fail when they run. */
export async function deleteConversation(db: Db, userId: string, id: string): Promise<void> {
  const rows = await db.delete(conversations).where(owned(userId, id)).returning({ id: conversations.id });
  if (rows.length === 0) throw new ApiError("not_found", "Conversation not found");
}

/** One page of messages, OLDEST first, keyset on (created_at, id); one round trip with the ownership check. */
export async function listMessages(db: Db, userId: string, conversationId: string, limit: number, cursor?: string): Promise<MessagePage> {
  const after = cursor === undefined ? undefined : decodeCursor(cursor);
  const [conversation, rows] = await db.batch([
    db.select({ id: conversations.id }).from(conversations).where(owned(userId, conversationId)).limit(1),
    db
      .select({ ...getTableColumns(messages), cursorAt: cursorAt(messages.createdAt) })
      .from(messages)
      .where(
        and(
          eq(messages.conversationId, conversationId),
          eq(messages.userId, userId),
          after && sql`(${messages.createdAt}, ${messages.id}) > (${after.createdAt}::timestamptz, ${after.id}::uuid)`,
        ),
      )
      .orderBy(asc(messages.createdAt), asc(messages.id))
      .limit(limit + 1),
  ]);
  if (conversation.length === 0) throw new ApiError("not_found", "Conversation not found");
  return pageFrom(rows, limit, toMessage);
}

/**
 * Plans posting `content`: the user's message, the pending reply (a millisecond later, so it sorts
 * after) and the chat-reply job, written by ONE statement that only matches the caller's
 * conversation (and a free idempotency key). A message screened as a possible crisis also stamps
 * the conversation's `support_flagged_at` in that statement.
 *
 * With `answered` (the fixed caring reply, for a flagged message only the AI quotas refused), the
 * reply is written `complete` with that text and the job `succeeded` with 0 attempts and no model:
 * nothing is queued and no model call is made.
 */
export function planMessage(
  db: Db,
  userId: string,
  conversationId: string,
  content: string,
  needsSupport: boolean,
  answered?: string,
): WorkPlan<MessageAccepted> {
  const now = new Date();
  const later = new Date(now.getTime() + 1);
  const message: MessageRow = {
    id: newId(now.getTime()),
    conversationId,
    userId,
    role: "user",
    content,
    status: "complete",
    error: null,
    createdAt: now,
    updatedAt: now,
  };
  const reply: MessageRow = {
    ...message,
    id: newId(later.getTime()),
    role: "assistant",
    content: answered ?? "",
    status: answered === undefined ? "pending" : "complete",
    createdAt: later,
    updatedAt: later,
  };
  const queued = newJob(userId, "chat_reply", reply.id, now).row;
  const job: JobRow = answered === undefined ? queued : { ...queued, status: "succeeded", finishedAt: now };
  const at = (d: Date) => sql`${d.toISOString()}::timestamptz`;
  const statements = (keyFree: SQL) => [
    db.execute(sql`
      with conv as (
        update conversations set last_message_at = ${at(now)}${needsSupport ? sql`, support_flagged_at = ${at(now)}` : sql``}
        where id = ${conversationId} and user_id = ${userId} and ${keyFree}
        returning id
      ), posted as (
        insert into messages (id, conversation_id, user_id, role, content, status, created_at, updated_at)
        select ${message.id}::uuid, id, ${userId}::uuid, 'user', ${content}::text, 'complete', ${at(now)}, ${at(now)} from conv
        union all
        select ${reply.id}::uuid, id, ${userId}::uuid, 'assistant', ${reply.content}::text, ${reply.status}::text, ${at(later)}, ${at(later)} from conv
        returning id
      )
      insert into jobs (id, user_id, kind, status, subject_id, attempts, created_at, updated_at, finished_at)
      select ${job.id}::uuid, ${userId}::uuid, 'chat_reply', ${job.status}::text, ${reply.id}::uuid, 0, ${at(now)}, ${at(now)}, ${job.finishedAt ? at(job.finishedAt) : sql`null`} from conv`),
  ];
  return { job, body: { message: toMessage(message), reply: toMessage(reply), job: toJob(job), needsSupport }, subject: { conversationId }, statements };
}
