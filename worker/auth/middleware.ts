/**
 * Route guards. `requireAuth` verifies the access token (CPU) and refuses a deleted account's
 * still-valid token (API.md: 401 on every route). Deleting an account leaves a marker in Redis for
 * as long as its access tokens can live; the guard reads it without waiting: the read rides in the
 * same Upstash pipeline as the route's own limit checks and cache reads (platform/redis.ts merges
 * one tick's commands), and is awaited only before the answer leaves. A write the route made for
 * a user who is gone fails on its user foreign key (http/errors.ts: 401 too), so nothing is written
 * for them meanwhile. Refresh tokens die with the account.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv, Principal, Services } from "../context.ts";
import { ApiError } from "../errors.ts";
import { rateLimit, type RatePolicyName } from "../platform/limits.ts";
import { errorFields } from "../platform/log.ts";
import { keyOf, releaseRiders, rideAlong } from "../platform/redis.ts";
import { verifyAccessToken } from "./tokens.ts";

/**
 * The OpenAPI security requirement of (auth) and (admin) routes.
 *
 * @example
 * createRoute({ method: "get", path: "/me", security: bearerSecurity, middleware: [requireAuth] as const, ... })
 */
export const bearerSecurity = [{ bearer: [] }];

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/;

function unauthorized(message: string): ApiError {
  return new ApiError("unauthorized", message, { headers: { "WWW-Authenticate": 'Bearer realm="assay"' } });
}

const goneKey = (services: Services, userId: string) => keyOf(services.config, "account-gone", userId);

/**
 * Marks a deleted account for as long as an access token issued before the deletion can live.
 * The deletion has committed by then: a cache failure is logged, not answered.
 */
export async function markAccountGone(services: Services, userId: string): Promise<void> {
  try {
    await services.redis.set(goneKey(services, userId), 1, { ex: services.config.ACCESS_TOKEN_TTL_SECONDS });
  } catch (err) {
    services.logger.error("could not mark a deleted account: its access tokens work until they expire", { userId, ...errorFields(err) });
  }
}

/**
 * Whether the account was deleted: `read` was issued along with the request's own Redis commands.
 * A cache that fails, or answers later than CACHE_TIMEOUT_MS after the route is done, counts as
 * "no" (logged): the user foreign keys still refuse writes, and scoped reads find nothing of a
 * deleted account.
 */
async function accountGone(c: Context<AppEnv>, read: Promise<unknown>): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const slow = new Promise<"slow">((resolve) => {
    timer = setTimeout(() => resolve("slow"), c.get("services").config.CACHE_TIMEOUT_MS);
  });
  try {
    const answer = await Promise.race([read, slow]);
    if (answer !== "slow") return Number(answer) > 0;
    c.get("logger").warn("deleted-account check timed out");
  } catch (err) {
    c.get("logger").warn("deleted-account check failed", errorFields(err));
  } finally {
    clearTimeout(timer);
  }
  return false;
}

/**
 * Verifies `Authorization: Bearer <accessToken>` and sets `c.var.principal`; 401 otherwise,
 * including for an account deleted since the token was issued.
 *
 * @example
 * router.use("/assessments/*", requireAuth);
 * const { userId } = principalOf(c);
 */
export const requireAuth: MiddlewareHandler<AppEnv> = async (c, next) => {
  const match = BEARER.exec(c.req.header("authorization") ?? "");
  if (!match?.[1]) throw unauthorized("A valid access token is required");
  const principal = await verifyAccessToken(c.get("services").config, match[1]);
  if (!principal) throw unauthorized("The access token is invalid or expired");
  c.set("principal", principal);
  const { redis } = c.get("services");
  const read = rideAlong(redis, ["EXISTS", goneKey(c.get("services"), principal.userId)]);
  read.catch(() => undefined); // awaited below, after the route
  await next();
  releaseRiders(redis);
  if (await accountGone(c, read)) throw unauthorized("The account no longer exists");
};

/** 403 for an authenticated caller who is not an admin. Use after `requireAuth`. */
export const requireAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
  const principal = c.get("principal");
  if (!principal) throw unauthorized("A valid access token is required");
  if (principal.role !== "admin") throw new ApiError("forbidden", "This needs an admin account");
  await next();
};

/** The caller set by `requireAuth`; throws 401 if a route forgot the guard. */
export function principalOf(c: Context<AppEnv>): Principal {
  const principal = c.get("principal");
  if (!principal) throw unauthorized("A valid access token is required");
  return principal;
}

/**
 * A per-user rate limit (a policy of worker/platform/limits.ts); use after `requireAuth`.
 *
 * @example
 * createRoute({ method: "post", path: "/conversations", middleware: [requireAuth, limitPerUser("conversations.create.user")] as const, ... })
 */
export function limitPerUser(policy: RatePolicyName): MiddlewareHandler<AppEnv> {
  return rateLimit(policy, (c) => principalOf(c).userId);
}
