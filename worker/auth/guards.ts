/**
 * Rate limits of the auth routes, run before body validation so that every answer of these routes
 * (400s included) carries the limit headers. The per-IP and per-email checks and the lockout read
 * are issued together: one Upstash round trip. Any limiter failure refuses the request (503).
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../context.ts";
import {
  checkLimits,
  clearFailures,
  clientIp,
  enforce,
  enforceLockout,
  identifierOf,
  rateLimit,
  readLockout,
  recordFailure,
  type LimitCheck,
  type LockoutState,
  type RatePolicyName,
} from "../platform/limits.ts";

const LOCKOUT = "auth.login.failures";

/** What the login guard learnt, for the handler to count the outcome against. */
interface Attempt {
  emailId: string;
  lockout: LockoutState;
}
const attempts = new WeakMap<Request, Attempt>();

/** The body's email, normalised, if the body has one (validation proper comes later). */
async function emailOf(c: Context<AppEnv>): Promise<string | undefined> {
  const body: unknown = await c.req.json().catch(() => undefined);
  if (body && typeof body === "object" && "email" in body && typeof body.email === "string") {
    const email = body.email.trim().toLowerCase();
    return email.length > 0 && email.length <= 254 ? email : undefined;
  }
  return undefined;
}

function guard(ipPolicy: RatePolicyName, emailPolicy: RatePolicyName, withLockout: boolean): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const services = c.get("services");
    const email = await emailOf(c);
    const emailId = email === undefined ? undefined : await identifierOf(services.config, email);
    const checks: LimitCheck[] = [{ policy: ipPolicy, identifier: clientIp(c) }];
    if (emailId) checks.push({ policy: emailPolicy, identifier: emailId });
    const [decision, lockout] = await Promise.all([
      checkLimits(services, checks),
      withLockout && emailId ? readLockout(services, LOCKOUT, emailId) : undefined,
    ]);
    enforce(c, decision);
    if (lockout && emailId) {
      enforceLockout(lockout);
      attempts.set(c.req.raw, { emailId, lockout });
    }
    await next();
  };
}

export const guardLogin = guard("auth.login.ip", "auth.login.email", true);
export const guardRegister = guard("auth.register.ip", "auth.register.email", false);
export const refreshLimit = rateLimit("auth.refresh.ip");

/** Counts a failed login towards the email's escalating lockout. */
export async function loginFailed(c: Context<AppEnv>): Promise<void> {
  const attempt = attempts.get(c.req.raw);
  if (attempt) await recordFailure(c.get("services"), LOCKOUT, attempt.emailId);
}

/** A successful login forgets earlier failures (a round trip only when there were some). */
export async function loginSucceeded(c: Context<AppEnv>): Promise<void> {
  const attempt = attempts.get(c.req.raw);
  if (attempt && attempt.lockout.failures > 0) await clearFailures(c.get("services"), LOCKOUT, attempt.emailId);
}
