/**
 * Rate limits and lockouts of the auth and account routes, run before body validation so that
 * every answer of these routes (400s included) carries the limit headers. Each route's checks are
 * issued together: one Upstash round trip.
 *
 * Login failures lock an email *from one address* (the address's /64 for IPv6), never the email
 * alone, so nobody can lock an owner out by failing on purpose. A distributed attack on one email
 * meets the per-email limit, which spares addresses the account has logged in from before. Each
 * attempt is counted as a failure before the password is checked (a parallel burst cannot run past
 * the lock); a right password takes it back. Any limiter failure refuses the request (503).
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv, Services } from "../context.ts";
import {
  attemptLockout,
  checkLimits,
  clearFailures,
  clientAddress,
  combineDecisions,
  enforce,
  enforceLockout,
  identifierOf,
  isKnownAddress,
  rateLimit,
  rememberAddress,
  type LockoutPolicyName,
  type LockoutState,
} from "../platform/limits.ts";
import { errorFields } from "../platform/log.ts";
import { principalOf } from "./middleware.ts";

const LOGIN_LOCKOUT = "auth.login.failures";
const PASSWORD_LOCKOUT = "account.password.failures";

/** What a guard counted, for the handler to settle once the password is checked. */
interface Attempt {
  lockout: LockoutPolicyName;
  identifier: string;
  state: LockoutState;
  /** After a right password, besides forgetting the failure. */
  onSuccess?: (services: Services) => Promise<void>;
}
const attempts = new WeakMap<Request, Attempt>();

/** The body as JSON, if it is (validation proper comes later). */
async function bodyOf(c: Context<AppEnv>): Promise<Record<string, unknown> | undefined> {
  const body: unknown = await c.req.json().catch(() => undefined);
  return body && typeof body === "object" ? (body as Record<string, unknown>) : undefined;
}

/** The body's email, normalised, if the body has one. */
async function emailOf(c: Context<AppEnv>): Promise<string | undefined> {
  const email = (await bodyOf(c))?.email;
  if (typeof email !== "string") return undefined;
  const normalised = email.trim().toLowerCase();
  return normalised.length > 0 && normalised.length <= 254 ? normalised : undefined;
}

export const guardRegister: MiddlewareHandler<AppEnv> = async (c, next) => {
  const services = c.get("services");
  const email = await emailOf(c);
  const emailId = email === undefined ? undefined : await identifierOf(services.config, email);
  enforce(
    c,
    await checkLimits(services, [
      { policy: "auth.register.ip", identifier: clientAddress(c) },
      ...(emailId ? [{ policy: "auth.register.email" as const, identifier: emailId }] : []),
    ]),
  );
  await next();
};

export const guardLogin: MiddlewareHandler<AppEnv> = async (c, next) => {
  const services = c.get("services");
  const address = clientAddress(c);
  const email = await emailOf(c);
  if (email === undefined) {
    enforce(c, await checkLimits(services, [{ policy: "auth.login.ip", identifier: address }]));
    return next();
  }
  const emailId = await identifierOf(services.config, email);
  const identifier = `${emailId}:${address}`;
  const [perAddress, perEmail, state, known] = await Promise.all([
    checkLimits(services, [{ policy: "auth.login.ip", identifier: address }]),
    checkLimits(services, [{ policy: "auth.login.email", identifier: emailId }]),
    attemptLockout(services, LOGIN_LOCKOUT, identifier),
    isKnownAddress(services, emailId, address),
  ]);
  enforce(c, known ? perAddress : combineDecisions([perAddress, perEmail]));
  enforceLockout(state);
  attempts.set(c.req.raw, {
    lockout: LOGIN_LOCKOUT,
    identifier,
    state,
    onSuccess: known ? undefined : (s) => rememberAddress(s, emailId, address),
  });
  await next();
};

export const refreshLimit = rateLimit("auth.refresh.ip");

/** Which account updates check a password: a password change (PATCH) and a deletion (DELETE). */
export const checksPassword = {
  change: (body: Record<string, unknown>) => typeof body.currentPassword === "string" && body.newPassword !== undefined,
  deletion: (body: Record<string, unknown>) => typeof body.password === "string",
};

/**
 * PATCH and DELETE /me: the per-user write limit, and, when the request checks a password, an
 * attempt counted against the user's password lockout. Use after `requireAuth`.
 */
export function guardAccountUpdate(checks: (body: Record<string, unknown>) => boolean): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const services = c.get("services");
    const { userId } = principalOf(c);
    const body = await bodyOf(c);
    const checksPassword = body !== undefined && checks(body);
    const [decision, state] = await Promise.all([
      checkLimits(services, [{ policy: "account.update.user", identifier: userId }]),
      checksPassword ? attemptLockout(services, PASSWORD_LOCKOUT, userId) : undefined,
    ]);
    enforce(c, decision);
    if (state) {
      enforceLockout(state);
      attempts.set(c.req.raw, { lockout: PASSWORD_LOCKOUT, identifier: userId, state });
    }
    await next();
  };
}

/**
 * The password was right: its attempt is not a failure. When earlier failures are on record this
 * waits for them to be forgotten; otherwise (the common case) it runs after the response, keeping
 * the request at one Upstash round trip. A lost write only leaves one failure counted, which the
 * next right password clears.
 */
export async function passwordAccepted(c: Context<AppEnv>): Promise<void> {
  const attempt = attempts.get(c.req.raw);
  if (!attempt) return;
  const services = c.get("services");
  const settle = Promise.all([clearFailures(services, attempt.lockout, attempt.identifier), attempt.onSuccess?.(services)]);
  if (attempt.state.failures > 1) await settle;
  else c.executionCtx.waitUntil(settle.catch((err: unknown) => c.get("logger").warn("could not settle a password attempt", errorFields(err))));
}
