/**
 * The account export: everything a user owns as one JSON document, produced as a stream. Each table
 * is read by keyset pages (`id > last`, `EXPORT_PAGE_ROWS` at a time, one Neon round trip each), so
 * a large account never sits in the Worker's memory: at most one page per table is held at a time.
 * Conversations and their messages are two keyset walks in the same order (by conversation id), merged.
 * The pages are not one snapshot: a row written while the export runs may or may not be in it.
 */
import { and, asc, eq, gt, sql } from "drizzle-orm";
import type { User } from "../auth/service.ts";
import { toAssessment } from "../assessments/service.ts";
import { toConversation, toMessage } from "../conversations/service.ts";
import { assessments, conversations, jobs, messages } from "../db/schema.ts";
import { toJob } from "../jobs/service.ts";
import type { Db } from "../platform/db.ts";
import { errorFields, type Logger } from "../platform/log.ts";

type Row<T extends { $inferSelect: unknown }> = T["$inferSelect"];

/** Rows per page and table: a few hundred KiB at most for the largest rows (answers, analyses). */
export const EXPORT_PAGE_ROWS = 200;

/** The export's format version, bumped when its shape changes (docs/EXPORT.md). */
export const EXPORT_FORMAT = 1;

/**
 * Rows of one table in key order, fetched a page at a time: `page(after)` answers up to `size` rows
 * after the row `after` (all from the start when undefined).
 */
async function* keyset<T>(page: (after: T | undefined) => Promise<T[]>, size: number): AsyncGenerator<T> {
  let after: T | undefined;
  for (;;) {
    const rows = await page(after);
    yield* rows;
    if (rows.length < size) return;
    after = rows.at(-1);
  }
}

/** An async iterator whose next row can be looked at without taking it. */
function peekable<T>(rows: AsyncGenerator<T>) {
  let head: IteratorResult<T> | undefined;
  return {
    async peek(): Promise<T | undefined> {
      head ??= await rows.next();
      return head.done ? undefined : head.value;
    },
    take(): void {
      head = undefined;
    },
  };
}

/** The JSON text of the export, in pieces. */
async function* exportText(db: Db, user: User, size: number): AsyncGenerator<string> {
  yield `{"format":${EXPORT_FORMAT},"exportedAt":${JSON.stringify(new Date().toISOString())},"user":${JSON.stringify(user)},"assessments":[`;

  let first = true;
  const assessmentRows = keyset<Row<typeof assessments>>(
    (last) =>
      db
        .select()
        .from(assessments)
        .where(and(eq(assessments.userId, user.id), last && gt(assessments.id, last.id)))
        .orderBy(asc(assessments.id))
        .limit(size),
    size,
  );
  for await (const row of assessmentRows) {
    yield (first ? "" : ",") + JSON.stringify(toAssessment(row));
    first = false;
  }

  yield `],"conversations":[`;
  const messageRows = peekable(
    keyset<Row<typeof messages>>(
      (last) =>
        db
          .select()
          .from(messages)
          .where(
            and(
              eq(messages.userId, user.id),
              last && sql`(${messages.conversationId}, ${messages.createdAt}, ${messages.id}) > (${last.conversationId}::uuid, ${last.createdAt.toISOString()}::timestamptz, ${last.id}::uuid)`,
            ),
          )
          .orderBy(asc(messages.conversationId), asc(messages.createdAt), asc(messages.id))
          .limit(size),
      size,
    ),
  );
  const conversationRows = keyset<Row<typeof conversations>>(
    (last) =>
      db
        .select()
        .from(conversations)
        .where(and(eq(conversations.userId, user.id), last && gt(conversations.id, last.id)))
        .orderBy(asc(conversations.id))
        .limit(size),
    size,
  );
  first = true;
  for await (const row of conversationRows) {
    const head = JSON.stringify(toConversation(row)).slice(0, -1);
    yield `${first ? "" : ","}${head},"messages":[`;
    first = false;
    let firstMessage = true;
    for (let m = await messageRows.peek(); m && m.conversationId <= row.id; m = await messageRows.peek()) {
      messageRows.take();
      // A message of a conversation created after its page was read sorts before this one: skip it.
      if (m.conversationId !== row.id) continue;
      yield (firstMessage ? "" : ",") + JSON.stringify(toMessage(m));
      firstMessage = false;
    }
    yield "]}";
  }

  yield `],"jobs":[`;
  first = true;
  const jobRows = keyset<Row<typeof jobs>>(
    (last) =>
      db
        .select()
        .from(jobs)
        .where(and(eq(jobs.userId, user.id), last && gt(jobs.id, last.id)))
        .orderBy(asc(jobs.id))
        .limit(size),
    size,
  );
  for await (const row of jobRows) {
    yield (first ? "" : ",") + JSON.stringify(toJob(row));
    first = false;
  }
  yield "]}";
}

/**
 * The export of `user` as a byte stream. A database failure mid-way ends the stream with an error,
 * so the client sees a truncated (invalid) document, never a silently partial valid one.
 */
export function exportStream(db: Db, user: User, logger: Logger, size = EXPORT_PAGE_ROWS): ReadableStream<Uint8Array> {
  const pieces = exportText(db, user, size);
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await pieces.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      } catch (err) {
        logger.error("export failed mid-stream", errorFields(err));
        controller.error(err);
      }
    },
    async cancel() {
      await pieces.return(undefined);
    },
  });
}
