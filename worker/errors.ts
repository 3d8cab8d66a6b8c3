/**
 * The Worker's error types, below every layer: features and http/ throw `ApiError`, adapters in
 * platform/ throw `DependencyError`; http/errors.ts turns either into the contract's error body.
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";

export const errorStatus = {
  invalid_json: 400,
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  ai_quota_exhausted: 429,
  internal: 500,
  unavailable: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof errorStatus;

export interface ErrorDetail {
  path: string;
  message: string;
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; requestId: string; details?: ErrorDetail[] };
}

export interface ApiErrorOptions {
  details?: ErrorDetail[];
  /** Seconds; sent as `Retry-After` (429, 503). */
  retryAfter?: number;
  headers?: Record<string, string>;
  cause?: unknown;
}

/**
 * A failure the client is meant to see.
 *
 * @example
 * throw new ApiError("not_found", "Assessment not found");
 */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: ContentfulStatusCode;
  readonly details: ErrorDetail[] | undefined;
  readonly retryAfter: number | undefined;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message: string, options: ApiErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "ApiError";
    this.code = code;
    this.status = errorStatus[code];
    this.details = options.details;
    this.retryAfter = options.retryAfter;
    this.headers = options.headers ?? {};
  }
}

/** Thrown by adapters when a dependency (database, cache, queue, the bot check) cannot be reached. */
export class DependencyError extends Error {
  readonly dependency: "database" | "cache" | "queue" | "ai" | "bot check";
  constructor(dependency: DependencyError["dependency"], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DependencyError";
    this.dependency = dependency;
  }
}

/** The SQLSTATE fields of a Postgres error, wherever it sits in what drizzle and the driver wrapped. */
export interface PostgresErrorFields {
  code: string;
  constraint: string | undefined;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** The Postgres error inside `err` (drizzle wraps the driver's error in `cause`), if there is one. */
export function postgresErrorOf(err: unknown): PostgresErrorFields | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === "object" && depth < 8; e = "cause" in e ? e.cause : undefined, depth++) {
    const code = "code" in e ? e.code : undefined;
    if (typeof code === "string" && SQLSTATE.test(code)) {
      const constraint = "constraint" in e && typeof e.constraint === "string" ? e.constraint : undefined;
      return { code, constraint };
    }
  }
  return undefined;
}
