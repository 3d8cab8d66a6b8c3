/**
 * The one handler that turns anything thrown into the contract's error body (the types are in
 * worker/errors.ts). Codes and statuses are those of API.md's table; nothing else leaks.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { ApiError, DependencyError, postgresErrorOf, type ErrorBody, type ErrorCode } from "../errors.ts";

/** What an error wraps: `cause`, or `sourceError`, where the Neon driver keeps a failed fetch's error. */
function wrapped(err: Error): unknown {
  if (err.cause !== undefined) return err.cause;
  return "sourceError" in err ? err.sourceError : undefined;
}

/** The first error of type `type` in `err`'s chain of wrapped errors (drivers and ORMs wrap what they throw). */
function findCause<T extends Error>(err: unknown, type: new (...args: never[]) => T): T | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; e = wrapped(e), depth++) {
    if (e instanceof type) return e;
  }
  return undefined;
}

const httpExceptionCodes: Partial<Record<number, ErrorCode>> = {
  400: "invalid_json",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  413: "payload_too_large",
  415: "unsupported_media_type",
};

/** A row that points at its owner (`<table>_user_id_users_id_fk`): the owner is gone. */
const USER_FOREIGN_KEY = /_user_id_users_id_fk$/;

/**
 * Postgres refusals that are the client's doing: a value it cannot take (class 22, data
 * exceptions, e.g. a NUL byte or an out-of-range date that slipped past validation) is a 400;
 * a row written for a user who no longer exists (a deleted account's still-valid access token)
 * is a 401, as API.md says for every route.
 */
function fromPostgres(err: unknown): ApiError | undefined {
  const pg = postgresErrorOf(err);
  if (!pg) return undefined;
  if (pg.code.startsWith("22")) {
    return new ApiError("validation_failed", "The request holds a value the database cannot store", { cause: err });
  }
  if (pg.code === "23503" && pg.constraint && USER_FOREIGN_KEY.test(pg.constraint)) {
    return new ApiError("unauthorized", "The account no longer exists", { cause: err });
  }
  return undefined;
}

/** Maps anything thrown to an ApiError; unknown errors become `internal` (their message is never sent). */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const fromDatabase = fromPostgres(err);
  if (fromDatabase) return fromDatabase;
  const dependency = findCause(err, DependencyError);
  if (dependency) {
    return new ApiError("unavailable", `The ${dependency.dependency} is unavailable, try again shortly`, {
      retryAfter: 5,
      cause: err,
    });
  }
  if (err instanceof HTTPException) {
    const code = httpExceptionCodes[err.status];
    if (code) return new ApiError(code, defaultMessage[code], { cause: err });
  }
  return new ApiError("internal", defaultMessage.internal, { cause: err });
}

const defaultMessage: Record<ErrorCode, string> = {
  invalid_json: "The request body is not valid JSON",
  validation_failed: "The request is invalid",
  unauthorized: "Authentication required",
  forbidden: "You are not allowed to do this",
  not_found: "Not found",
  conflict: "Conflict",
  payload_too_large: "The request body is too large",
  unsupported_media_type: "Send the body as application/json",
  rate_limited: "Too many requests",
  ai_quota_exhausted: "The daily AI quota is spent",
  internal: "Something went wrong on our side",
  unavailable: "A dependency is unavailable, try again shortly",
};

export function errorBody(err: ApiError, requestId: string): ErrorBody {
  return {
    error: {
      code: err.code,
      message: err.message,
      requestId,
      ...(err.details ? { details: err.details } : {}),
    },
  };
}

export function errorResponse(c: Context, err: ApiError): Response {
  const requestId = c.get("requestId") ?? "";
  for (const [name, value] of Object.entries(err.headers)) c.header(name, value);
  if (err.retryAfter !== undefined) c.header("Retry-After", String(Math.max(1, Math.ceil(err.retryAfter))));
  c.header("Cache-Control", "no-store");
  return c.json(errorBody(err, requestId), err.status);
}
