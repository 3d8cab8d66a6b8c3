/**
 * Keyset cursors for newest-first lists: the last row's (created_at, id), opaque to clients.
 * The timestamp keeps Postgres' microseconds, so rows created within the same millisecond are
 * neither skipped nor repeated; rows inserted while a client pages are newer than any cursor and
 * never shift later pages.
 */
import { sql, type AnyColumn, type SQL } from "drizzle-orm";
import { ApiError } from "../errors.ts";

export interface Cursor {
  /** ISO-8601 UTC with microseconds, as Postgres wrote it. */
  createdAt: string;
  id: string;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * True when the timestamp names a real instant Postgres accepts: month 1..12, a day the month has,
 * a time of day below 24:00, a year from 1 (Postgres has no year 0).
 */
function isRealInstant(timestamp: string): boolean {
  const date = new Date(`${timestamp.slice(0, 23)}Z`);
  return !Number.isNaN(date.getTime()) && timestamp.slice(0, 4) !== "0000" && date.toISOString().slice(0, 23) === timestamp.slice(0, 23);
}

function encodeCursor(cursor: Cursor): string {
  return btoa(JSON.stringify([cursor.createdAt, cursor.id])).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The cursor a client sent back; 400 `validation_failed` for anything we did not issue. */
export function decodeCursor(raw: string): Cursor {
  try {
    const parsed: unknown = JSON.parse(atob(raw.replace(/-/g, "+").replace(/_/g, "/")));
    if (Array.isArray(parsed) && parsed.length === 2) {
      const [createdAt, id] = parsed as unknown[];
      if (typeof createdAt === "string" && TIMESTAMP.test(createdAt) && isRealInstant(createdAt) && typeof id === "string" && UUID.test(id)) {
        return { createdAt, id };
      }
    }
  } catch {
    // fall through to the same answer as any other unknown cursor
  }
  throw new ApiError("validation_failed", "The request is invalid", {
    details: [{ path: "cursor", message: "Not a cursor from this list" }],
  });
}

/** A row's `createdAt` as Postgres' own microsecond timestamp, selected as the row's cursor time. */
export function cursorAt(column: AnyColumn): SQL<string> {
  return sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/**
 * The page a keyset query fetched with `limit + 1` rows answers: the first `limit` items, and a
 * cursor after the last of them only when the extra row shows that more exist.
 */
export function pageFrom<Row extends { cursorAt: string; id: string }, Item>(
  rows: Row[],
  limit: number,
  toItem: (row: Row) => Item,
): { items: Item[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toItem),
    nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.cursorAt, id: last.id }) : null,
  };
}
