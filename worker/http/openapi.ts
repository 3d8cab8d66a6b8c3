/**
 * Routers are OpenAPIHono instances: each route declares its contract (zod schemas for params,
 * query, body and responses), so /api/openapi.json is generated from the code that serves it.
 * Validation failures become 400 `validation_failed` with one detail per problem.
 */
import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../context.ts";
import { ApiError, type ErrorDetail } from "../errors.ts";

function zodDetails(issues: readonly { path: readonly PropertyKey[]; message: string }[]): ErrorDetail[] {
  return issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message }));
}

export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        throw new ApiError("validation_failed", "The request is invalid", { details: zodDetails(result.error.issues) });
      }
    },
  });
}

/** The error body every route can answer with; referenced in each route's responses. */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "validation_failed" }),
      message: z.string(),
      requestId: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .openapi("Error");

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorSchema } },
});

/** Standard error responses to spread into a route's `responses`. */
export const errorResponses = {
  400: errorResponse("Invalid JSON or a request that fails validation"),
  401: errorResponse("Missing or invalid credentials"),
  403: errorResponse("Not allowed"),
  404: errorResponse("Not found (or owned by someone else)"),
  409: errorResponse("Conflict with the current state"),
  413: errorResponse("Body over 64 KiB"),
  415: errorResponse("Body is not application/json"),
  429: errorResponse("Rate limited or AI quota exhausted"),
  503: errorResponse("A dependency is unavailable"),
} as const;

type ErrorStatus = keyof typeof errorResponses;

/**
 * The standard error responses for `statuses`, to spread into a route's `responses`; a route
 * spreads its own entry after this one where a status needs a more specific description.
 *
 * @example
 * responses: { 200: jsonResponse(User, "The caller"), ...errorsFor(401, 404, 503) }
 */
export function errorsFor<S extends ErrorStatus>(...statuses: S[]): Pick<typeof errorResponses, S> {
  return Object.fromEntries(statuses.map((status) => [status, errorResponses[status]])) as Pick<typeof errorResponses, S>;
}

export function jsonBody<T extends z.ZodType>(schema: T, description = "JSON body") {
  return { required: true, description, content: { "application/json": { schema } } };
}

export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/** The 304 of a GET answered with `sendTagged` (http/etag.ts) when `If-None-Match` is current. */
export const notModified = { 304: { description: "Not modified: the `If-None-Match` tag is current" } };

/** The 200 of a GET answered with `sendTagged`, documenting its `ETag` and its `Cache-Control` policy. */
export function taggedJsonResponse<T extends z.ZodType>(schema: T, description: string, cacheControl: string) {
  return {
    ...jsonResponse(schema, description),
    headers: {
      ETag: { schema: { type: "string" as const }, description: "Strong entity tag of the body" },
      "Cache-Control": { schema: { type: "string" as const }, description: cacheControl },
    },
  };
}

/** A lone UTF-16 surrogate: a high one not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True for text Postgres can store and compare: no NUL (refused by text and jsonb) and no lone surrogate. */
export function isStorableText(s: string): boolean {
  return !s.includes("\u0000") && !LONE_SURROGATE.test(s);
}

/**
 * Every string the API stores or looks up starts here (API.md, Conventions: strings), so NUL and
 * lone surrogates are a 400 `validation_failed` at the field, never a Postgres error. Chain the
 * field's own rules after it.
 *
 * @example
 * title: text().trim().min(1).max(200)
 */
export const text = () => z.string().refine(isStorableText, "Must not contain NUL characters or unpaired UTF-16 surrogates");

/** Ids in paths are UUIDs; anything else is a 400 before any lookup. */
export const IdParam = z.object({
  id: z.uuid().openapi({ param: { name: "id", in: "path" }, example: "01937f2e-7a9b-7c3d-8e4f-5a6b7c8d9e0f" }),
});

/** `?limit=1..100&cursor=...` */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ param: { name: "limit", in: "query" } }),
  cursor: text().min(1).max(200).optional().openapi({ param: { name: "cursor", in: "query" } }),
});

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}
