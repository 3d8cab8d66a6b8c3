/**
 * `Idempotency-Key` for POSTs that start AI work (API.md): the first response to a key is stored
 * in the same batch as the work it describes, and the same key from the same user within 24 h gets
 * that response back (same status, same body) without starting anything. The same key on a
 * different request (another route or body) is 409.
 *
 * A request with a key writes, in its one batch: a transaction-scoped advisory lock on (user, key)
 * (so concurrent requests with one key run one after the other), the domain statements guarded by
 * `keyIsFree`, `rememberResponse` guarded by "the work was written", and `storedResponse` to read
 * back who won. The body is kept as its exact JSON text (a jsonb string), so a replay is the first
 * response byte for byte.
 */
import { z } from "@hono/zod-openapi";
import { sql, type SQL } from "drizzle-orm";
import type { Context } from "hono";
import type { Db } from "../platform/db.ts";
import { text } from "./openapi.ts";
import { ApiError } from "../errors.ts";

export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

/** The request header, declared on routes so a bad key is a 400 `validation_failed`. */
export const IdempotencyHeaders = z.object({
  "idempotency-key": text()
    .min(1)
    .max(255)
    .optional()
    .openapi({
      param: { name: "idempotency-key", in: "header" },
      description: "`Idempotency-Key` (1..255 chars): replays the first response to this key (same user, 24 h) instead of starting new work",
    }),
});

export interface IdempotentRequest {
  userId: string;
  key: string;
  /** SHA-256 of method, path and body: the same key on another request is a conflict. */
  requestHash: string;
}

export interface StoredResponse {
  requestHash: string;
  status: number;
  body: unknown;
}

const encoder = new TextEncoder();

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The caller's idempotent request, or undefined when no key was sent. */
export async function idempotentRequest(
  c: Context,
  userId: string,
  key: string | undefined,
  body: unknown,
): Promise<IdempotentRequest | undefined> {
  if (key === undefined) return undefined;
  const requestHash = await sha256Hex(`${c.req.method} ${c.req.path}\n${JSON.stringify(body ?? null)}`);
  return { userId, key, requestHash };
}

const live = (req: IdempotentRequest) =>
  sql`user_id = ${req.userId}::uuid and key = ${req.key}::text and expires_at > now()`;

/** Serialises requests with the same key until the batch commits. */
export function lockKey(db: Db, req: IdempotentRequest) {
  return db.execute(
    sql`select 1 as locked from (select pg_advisory_xact_lock(hashtextextended(${`${req.userId}:${req.key}`}::text, 0))) as l`,
  );
}

/** SQL condition for the domain statements: no live response is stored under this key. */
export function keyIsFree(req: IdempotentRequest | undefined): SQL {
  if (!req) return sql`true`;
  return sql`not exists (select 1 from idempotency_keys where ${live(req)})`;
}

/**
 * What a stored response is about. The body holds its content, so the replay is deleted with it
 * (a foreign key with ON DELETE CASCADE), as it is with the account.
 */
export type ReplaySubject = { assessmentId: string } | { conversationId: string };

/** Stores the response when `onlyIf` holds (the work was written); a live key is never overwritten. */
export function rememberResponse(db: Db, req: IdempotentRequest, status: number, body: unknown, onlyIf: SQL, subject: ReplaySubject) {
  const assessmentId = "assessmentId" in subject ? subject.assessmentId : null;
  const conversationId = "conversationId" in subject ? subject.conversationId : null;
  return db.execute(sql`
    insert into idempotency_keys (user_id, key, request_hash, status_code, response_body, assessment_id, conversation_id, created_at, expires_at)
    select ${req.userId}::uuid, ${req.key}::text, ${req.requestHash}::text, ${status}::int, to_jsonb(${JSON.stringify(body)}::text),
           ${assessmentId}::uuid, ${conversationId}::uuid, now(), now() + make_interval(secs => ${IDEMPOTENCY_TTL_SECONDS})
    where ${onlyIf}
    on conflict (user_id, key) do update
      set request_hash = excluded.request_hash, status_code = excluded.status_code, response_body = excluded.response_body,
          assessment_id = excluded.assessment_id, conversation_id = excluded.conversation_id,
          created_at = excluded.created_at, expires_at = excluded.expires_at
      where idempotency_keys.expires_at <= now()`);
}

/** The live response stored under the key (zero or one row). */
export function storedResponse(db: Db, req: IdempotentRequest) {
  return db.execute<StoredRow>(sql`
    select request_hash, status_code, response_body #>> '{}' as response_text from idempotency_keys where ${live(req)}`);
}

export type StoredRow = {
  request_hash: string;
  status_code: number | string;
  response_text: string;
};

/** Reads `storedResponse`'s rows. */
export function storedFrom(rows: readonly StoredRow[]): StoredResponse | undefined {
  const row = rows[0];
  if (!row) return undefined;
  return { requestHash: row.request_hash, status: Number(row.status_code), body: JSON.parse(row.response_text) as unknown };
}

/**
 * The first response's body again (sent with its status by the route), marked as a replay; 409 when
 * the key was first used with another request.
 */
export function replayed(c: Context, stored: StoredResponse, req: IdempotentRequest): unknown {
  if (stored.requestHash !== req.requestHash) {
    throw new ApiError("conflict", "This Idempotency-Key was already used with a different request");
  }
  c.header("Idempotent-Replayed", "true");
  return stored.body;
}
