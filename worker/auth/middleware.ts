/**
 * Route guards. `requireAuth` only verifies the access token (CPU, no I/O). A deleted user's
 * token is refused where data is touched, at no extra cost: /me looks the user up anyway (401 when
 * gone), and every other feature reads rows scoped to the caller's id, which the deletion
 * cascaded away. Access tokens live 15 minutes; refresh tokens die with the account.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv, Principal } from "../context.ts";
import { ApiError } from "../errors.ts";
import { rateLimit, type RatePolicyName } from "../platform/limits.ts";
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

/**
 * Verifies `Authorization: Bearer <accessToken>` and sets `c.var.principal`; 401 otherwise.
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
  await next();
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
