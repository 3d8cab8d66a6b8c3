/** The request chain of DESIGN.md, apart from auth and rate limits, which routes add themselves. */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import type { AppEnv } from "../context.ts";
import { errorFields } from "../platform/log.ts";
import { newMetrics, serverTiming, withMetrics } from "../platform/metrics.ts";
import { servicesFor } from "../platform/services.ts";
import { ApiError } from "../errors.ts";

export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Attaches the services and a measurement scope, then writes one structured log line per request
 * and, unless SERVER_TIMING is off (the production default), the `Server-Timing` header.
 */
export const requestContext: MiddlewareHandler<AppEnv> = async (c, next) => {
  const started = performance.now();
  const services = servicesFor(c.env);
  const metrics = newMetrics();
  const logger = services.logger.child({ requestId: c.get("requestId") });
  c.set("services", services);
  c.set("logger", logger);
  c.set("metrics", metrics);
  await withMetrics(metrics, () => next());
  if (c.res.headers.get("content-type") === "application/json") {
    c.res.headers.set("content-type", "application/json; charset=utf-8");
  }
  // Only responses that say otherwise (GETs with their ETag policy) may be stored anywhere.
  if (!c.res.headers.has("cache-control")) c.res.headers.set("cache-control", "no-store");
  const durationMs = performance.now() - started;
  // Timings tell an outsider how a request was served (cache hit, database round trips): production
  // sends them only when SERVER_TIMING asks; the log line below always has them.
  if (services.config.SERVER_TIMING) c.header("Server-Timing", serverTiming(metrics, durationMs));
  logger.info("request", {
    method: c.req.method,
    route: c.req.routePath,
    path: c.req.path,
    status: c.res.status,
    durationMs: Math.round(durationMs * 10) / 10,
    dbRoundTrips: metrics.dbRoundTrips,
    dbMs: Math.round(metrics.dbMs * 10) / 10,
    cacheRoundTrips: metrics.cacheRoundTrips,
    cache: metrics.cacheStatus,
    userId: c.get("principal")?.userId,
  });
};

/** CORS for the allowlisted origins only (the SPA on Pages is same-origin and needs none). */
export const corsFromConfig: MiddlewareHandler<AppEnv> = (c, next) =>
  cors({
    origin: (origin) => (c.get("services").config.CORS_ORIGINS.includes(origin) ? origin : null),
    credentials: true,
    allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key", "If-None-Match", "X-Request-Id"],
    exposeHeaders: [
      "X-Request-Id",
      "ETag",
      "Retry-After",
      "RateLimit-Limit",
      "RateLimit-Remaining",
      "RateLimit-Reset",
      "Server-Timing",
    ],
    maxAge: 600,
  })(c, next);

const BODY_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

function hasBody(headers: Headers): boolean {
  const length = headers.get("content-length");
  if (length !== null) return Number(length) > 0;
  return headers.has("transfer-encoding");
}

/** A body must be JSON: anything else is 415 before it reaches a validator. */
export const requireJsonBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (BODY_METHODS.has(c.req.method) && hasBody(c.req.raw.headers)) {
    const type = c.req.header("content-type") ?? "";
    if (!/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type)) {
      throw new ApiError("unsupported_media_type", "Send the body as application/json");
    }
  }
  await next();
};

export const limitBody: MiddlewareHandler<AppEnv> = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new ApiError("payload_too_large", `The request body is over ${MAX_BODY_BYTES / 1024} KiB`);
  },
});

/** Logs unexpected errors with the request id; the client only ever sees the contract's body. */
export function logUnexpected(c: Parameters<MiddlewareHandler<AppEnv>>[0], err: unknown): void {
  const logger = c.get("logger");
  const fields = { ...errorFields(err), method: c.req.method, path: c.req.path };
  if (logger) logger.error("unhandled error", fields);
  else console.error(JSON.stringify({ level: "error", msg: "unhandled error", requestId: c.get("requestId"), ...fields }));
}
