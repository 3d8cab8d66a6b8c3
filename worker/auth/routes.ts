/** The "Auth and accounts" routes of API.md: register, login, refresh, logout and /me. */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../context.ts";
import { ApiError } from "../errors.ts";
import { createRouter, ErrorSchema, text, errorResponses, errorsFor, jsonBody, jsonResponse, notModified } from "../http/openapi.ts";
import { cacheControl, sendJsonWithEtag } from "../http/etag.ts";
import { CACHE_TTL_SECONDS, cacheFamily, requestCache } from "../platform/cache.ts";
import { assessmentsFamily } from "../assessments/service.ts";
import { conversationsFamily } from "../conversations/caching.ts";
import { bearerSecurity, markAccountGone, principalOf, requireAuth } from "./middleware.ts";
import { isCommonPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "./passwords.ts";
import { checksPassword, guardAccountUpdate, guardLogin, guardRegister, passwordAccepted, refreshLimit } from "./guards.ts";
import { clientIp } from "../platform/limits.ts";
import { verifyTurnstile } from "../platform/turnstile.ts";
import { BAD_CREDENTIALS, deleteAccount, getUser, login, logout, refresh, register, updateProfile, type Session } from "./service.ts";

/** `/me` is cached per user for 5 minutes; PATCH and DELETE /me invalidate it before answering. */
const profileFamily = (c: Context<AppEnv>, userId: string) =>
  cacheFamily(c.get("services").config, CACHE_TTL_SECONDS.profile, "profile", userId);

const REFRESH_COOKIE = "refresh_token";
const REFRESH_COOKIE_PATH = "/api/v1/auth";

const characters = (s: string) => [...s].length;

const Email = text()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email({ error: "Enter a valid email address" }))
  .openapi({ example: "ada@example.com" });

/** A password being set: 8..128 characters of any script, not on the common-passwords list. */
const NewPassword = text()
  .refine((s) => characters(s) >= PASSWORD_MIN_LENGTH, `Must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .refine((s) => characters(s) <= PASSWORD_MAX_LENGTH, `Must be at most ${PASSWORD_MAX_LENGTH} characters`)
  .refine((s) => !isCommonPassword(s), "This password is too common, choose another")
  .openapi({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH, example: "correct horse battery staple" });

/** A password being checked: anything (legacy accounts may predate today's rules), bounded. */
const GivenPassword = z.string().min(1, "Required").max(1024);

const DisplayName = text()
  .trim()
  .refine((s) => characters(s) >= 1, "Must not be empty")
  .refine((s) => characters(s) <= 80, "Must be at most 80 characters")
  .openapi({ minLength: 1, maxLength: 80, example: "Ada" });

/** Cloudflare Turnstile's tokens are at most 2048 characters. */
const TurnstileToken = text()
  .min(1, "Complete the bot check")
  .max(2048)
  .openapi({
    description:
      "The Cloudflare Turnstile response of the sign-up widget, verified server-side before anything is created. " +
      "Development and tests use Cloudflare's always-pass test keys, whose dummy token is `XXXX.DUMMY.TOKEN.XXXX`.",
    example: "XXXX.DUMMY.TOKEN.XXXX",
  });

export const User = z
  .object({
    id: z.uuid(),
    email: z.string(),
    displayName: z.string(),
    role: z.enum(["user", "admin"]),
    createdAt: z.iso.datetime(),
  })
  .openapi("User");

const SessionSchema = z
  .object({
    user: User,
    accessToken: z.string().openapi({ description: "JWT for `Authorization: Bearer`" }),
    accessTokenExpiresAt: z.iso.datetime(),
    refreshToken: z.string().openapi({ description: "Also set as the HttpOnly `refresh_token` cookie (Path=/api/v1/auth)" }),
    refreshTokenExpiresAt: z.iso.datetime(),
  })
  .openapi("Session");

const RefreshBody = z
  .object({ refreshToken: text().min(1).max(512).optional() })
  .openapi("RefreshRequest", { description: "Omit `refreshToken` to use the refresh cookie" });

const limitHeaders = {
  "RateLimit-Limit": { schema: { type: "integer" as const }, description: "Requests allowed in the window" },
  "RateLimit-Remaining": { schema: { type: "integer" as const }, description: "Requests left in the window" },
  "RateLimit-Reset": { schema: { type: "integer" as const }, description: "Seconds until the window resets" },
};

const limited = <T extends z.ZodType>(schema: T, description: string) => ({ ...jsonResponse(schema, description), headers: limitHeaders });

const rateLimited = {
  description: "Too many attempts (per IP, per email, or a lockout after repeated failures); see Retry-After",
  content: { "application/json": { schema: ErrorSchema } },
  headers: { ...limitHeaders, "Retry-After": { schema: { type: "integer" as const }, description: "Seconds to wait" } },
};

const noContentLimited = { description: "Done", headers: limitHeaders };

function sendSession<S extends 200 | 201>(c: Context<AppEnv>, session: Session, status: S) {
  const expires = new Date(session.refreshTokenExpiresAt);
  setCookie(c, REFRESH_COOKIE, session.refreshToken, {
    httpOnly: true,
    secure: true,
    sameSite: "Strict",
    path: REFRESH_COOKIE_PATH,
    expires,
    maxAge: Math.max(0, Math.floor((expires.getTime() - Date.now()) / 1000)),
  });
  return c.json(session, status);
}

function clearRefreshCookie(c: Context<AppEnv>): void {
  deleteCookie(c, REFRESH_COOKIE, { path: REFRESH_COOKIE_PATH, secure: true, httpOnly: true, sameSite: "Strict" });
}

function refreshTokenOf(c: Context<AppEnv>, body: { refreshToken?: string | undefined } | undefined): string | undefined {
  return body?.refreshToken ?? getCookie(c, REFRESH_COOKIE);
}

export const authRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/auth/register",
      tags: ["Auth"],
      summary: "Create an account and log in",
      description:
        "The Turnstile token is verified with Cloudflare before anything is created: a missing, failing, expired or " +
        "spent token answers 400 `validation_failed` with the path `turnstileToken`. " +
        "An email that is already registered answers 409: this reveals that the address has an account, " +
        "a deliberate trade-off for a usable sign-up form; per-IP and per-email limits keep it from being used to scan addresses.",
      middleware: [guardRegister],
      request: {
        body: jsonBody(
          z.object({ email: Email, password: NewPassword, displayName: DisplayName, turnstileToken: TurnstileToken }).openapi("RegisterRequest"),
        ),
      },
      responses: {
        201: limited(SessionSchema, "Registered; the refresh token is also set as a cookie"),
        ...errorsFor(400, 409, 413, 415),
        429: rateLimited,
        503: errorResponses[503],
      },
    }),
    async (c) => {
      const { turnstileToken, ...registration } = c.req.valid("json");
      const services = c.get("services");
      const ip = clientIp(c);
      const bot = await verifyTurnstile(services.config, turnstileToken, ip === "unknown" ? undefined : ip);
      if (!bot.success) {
        c.get("logger").info("sign-up bot check failed", { errorCodes: bot.errorCodes });
        throw new ApiError("validation_failed", "The request is invalid", {
          details: [{ path: "turnstileToken", message: "The bot check failed or expired, please try it again" }],
        });
      }
      return sendSession(c, await register(services, registration), 201);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/auth/login",
      tags: ["Auth"],
      summary: "Log in with email and password",
      description:
        "Any wrong email or password answers the same 401 in about the same time. Failed attempts count towards " +
        "an escalating lockout of that email from that address (IPv6: its /64), 429 with Retry-After; the owner's " +
        "right password from another address still works. Logins per email from addresses it has not logged in " +
        "from before are limited too.",
      middleware: [guardLogin],
      request: { body: jsonBody(z.object({ email: text().trim().toLowerCase().min(1).max(254), password: GivenPassword }).openapi("LoginRequest")) },
      responses: {
        200: limited(SessionSchema, "Logged in; the refresh token is also set as a cookie"),
        ...errorsFor(400, 401, 413, 415),
        429: rateLimited,
        503: errorResponses[503],
      },
    }),
    async (c) => {
      const { email, password } = c.req.valid("json");
      const services = c.get("services");
      const session = await login(services, email, password);
      if (!session) throw new ApiError("unauthorized", BAD_CREDENTIALS);
      await passwordAccepted(c);
      return sendSession(c, session, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/auth/refresh",
      tags: ["Auth"],
      summary: "Exchange a refresh token for a new session",
      description:
        "The refresh token comes from the body or the `refresh_token` cookie. It is spent: the answer carries its " +
        "successor. Reusing a spent token after a short grace window revokes every token of its login (401).",
      middleware: [refreshLimit],
      request: { body: { ...jsonBody(RefreshBody), required: false } },
      responses: {
        200: limited(SessionSchema, "A new session in the same login"),
        ...errorsFor(400, 401, 413, 415),
        429: rateLimited,
        503: errorResponses[503],
      },
    }),
    async (c) => {
      const token = refreshTokenOf(c, c.req.valid("json"));
      if (!token) throw new ApiError("unauthorized", "A refresh token is required (body or cookie)");
      return sendSession(c, await refresh(c.get("services"), token), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/auth/logout",
      tags: ["Auth"],
      summary: "Log out: revoke the refresh token's login",
      description: "Revokes every token of the login the refresh token (body or cookie) belongs to, and clears the cookie. Idempotent.",
      middleware: [refreshLimit],
      request: { body: { ...jsonBody(RefreshBody), required: false } },
      responses: {
        204: noContentLimited,
        ...errorsFor(400, 413, 415),
        429: rateLimited,
        503: errorResponses[503],
      },
    }),
    async (c) => {
      const token = refreshTokenOf(c, c.req.valid("json"));
      if (token) await logout(c.get("services"), token);
      clearRefreshCookie(c);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/me",
      tags: ["Account"],
      summary: "The current user",
      security: bearerSecurity,
      middleware: [requireAuth] as const,
      responses: {
        200: jsonResponse(User, "The user behind the access token"),
        ...notModified,
        ...errorsFor(401, 503),
      },
    }),
    async (c) => {
      const { userId } = principalOf(c);
      const user = await requestCache(c).read(profileFamily(c, userId), "me", () => getUser(c.get("services"), userId));
      if (!user) throw new ApiError("unauthorized", "The account no longer exists");
      return sendJsonWithEtag(c, user, cacheControl.private);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/me",
      tags: ["Account"],
      summary: "Update the display name or the password",
      description:
        "A new password needs `currentPassword` (401 if wrong) and logs out every other session (all refresh tokens are revoked). " +
        "Limited per user; wrong current passwords lock the password check for the user (429 with Retry-After).",
      security: bearerSecurity,
      middleware: [requireAuth, guardAccountUpdate(checksPassword.change)] as const,
      request: {
        body: jsonBody(
          z
            .object({ displayName: DisplayName.optional(), currentPassword: GivenPassword.optional(), newPassword: NewPassword.optional() })
            .superRefine((v, ctx) => {
              if (v.newPassword !== undefined && v.currentPassword === undefined) {
                ctx.addIssue({ code: "custom", path: ["currentPassword"], message: "Required to set a new password" });
              }
            })
            .openapi("UpdateMeRequest"),
        ),
      },
      responses: {
        200: limited(User, "The updated user"),
        ...errorsFor(400, 401, 409, 413, 415, 503),
        429: rateLimited,
      },
    }),
    async (c) => {
      const change = c.req.valid("json");
      const user = await updateProfile(c.get("services"), principalOf(c).userId, change);
      if (change.newPassword !== undefined) await passwordAccepted(c);
      await requestCache(c).invalidate(profileFamily(c, user.id));
      return c.json(user, 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/me",
      tags: ["Account"],
      summary: "Delete the account and everything it owns",
      description:
        "Needs the password (401 if wrong). Assessments, conversations, messages, jobs and sessions go with it, and " +
        "access tokens issued before answer 401 from then on. 409 when nothing was deleted because the password changed meanwhile. " +
        "Limited per user; wrong passwords lock the password check for the user (429 with Retry-After).",
      security: bearerSecurity,
      middleware: [requireAuth, guardAccountUpdate(checksPassword.deletion)] as const,
      request: { body: jsonBody(z.object({ password: GivenPassword }).openapi("DeleteMeRequest")) },
      responses: {
        204: noContentLimited,
        ...errorsFor(400, 401, 409, 413, 415, 503),
        429: rateLimited,
      },
    }),
    async (c) => {
      const { userId } = principalOf(c);
      const services = c.get("services");
      await deleteAccount(services, userId, c.req.valid("json").password);
      await passwordAccepted(c);
      await Promise.all([
        markAccountGone(services, userId),
        requestCache(c).invalidate(profileFamily(c, userId), assessmentsFamily(services.config, userId), conversationsFamily(services.config, userId)),
      ]);
      clearRefreshCookie(c);
      return c.body(null, 204);
    },
  );
