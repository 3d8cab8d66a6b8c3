/** Conversations (API.md "Conversations"), all (auth) and scoped to the caller. */
import { createRoute } from "@hono/zod-openapi";
import { bearerSecurity, limitPerUser, principalOf, requireAuth } from "../auth/middleware.ts";
import { cacheControl, sendJsonWithEtag } from "../http/etag.ts";
import { IdempotencyHeaders } from "../http/idempotency.ts";
import { ApiError } from "../errors.ts";
import { createRouter, errorResponses, errorsFor, IdParam, jsonBody, jsonResponse, notModified, PageQuery } from "../http/openapi.ts";
import { startAiWork } from "../jobs/start.ts";
import { careReplyWithoutModel, mayAnswerWithoutModel } from "../support/care.ts";
import { screenMessage } from "../support/screening.ts";
import {
  ConversationPageSchema,
  ConversationSchema,
  MessageAcceptedSchema,
  MessagePageSchema,
  NewConversationSchema,
  NewMessageSchema,
} from "./schemas.ts";
import { requestCache } from "../platform/cache.ts";
import { readConversation, readConversationPage, readMessagePage, reviseConversationCache } from "./caching.ts";
import { createConversation, deleteConversation, planMessage } from "./service.ts";

const authGuard = { security: bearerSecurity, middleware: [requireAuth] };

export const conversationRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/conversations",
      tags: ["Conversations"],
      summary: "Start a conversation, optionally about one of your assessments",
      description: "Limited per user (`RateLimit-*` headers; 429 `rate_limited` with `Retry-After`).",
      security: bearerSecurity,
      middleware: [requireAuth, limitPerUser("conversations.create.user")] as const,
      request: { body: { ...jsonBody(NewConversationSchema), required: false } },
      responses: {
        201: jsonResponse(ConversationSchema, "The new conversation"),
        ...errorsFor(400, 401, 413, 415, 429, 503),
        404: { ...errorResponses[404], description: "No such assessment of yours" },
      },
    }),
    async (c) => {
      const { userId } = principalOf(c);
      const { db, config } = c.get("services");
      const conversation = await createConversation(db.primary, userId, c.req.valid("json") ?? {});
      await reviseConversationCache(requestCache(c), config, userId, conversation.id, conversation);
      c.header("Location", `/api/v1/conversations/${conversation.id}`);
      return c.json(conversation, 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/conversations",
      tags: ["Conversations"],
      summary: "Your conversations, newest first",
      ...authGuard,
      request: { query: PageQuery },
      responses: {
        200: jsonResponse(ConversationPageSchema, "One page"),
        ...notModified,
        ...errorsFor(400, 401, 503),
      },
    }),
    async (c) => {
      const { limit, cursor } = c.req.valid("query");
      const { db, config } = c.get("services");
      const page = await readConversationPage(db.primary, requestCache(c), config, principalOf(c).userId, limit, cursor);
      return sendJsonWithEtag(c, page, cacheControl.private);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/conversations/{id}",
      tags: ["Conversations"],
      summary: "One of your conversations",
      ...authGuard,
      request: { params: IdParam },
      responses: {
        200: jsonResponse(ConversationSchema, "The conversation"),
        ...notModified,
        ...errorsFor(400, 401, 404, 503),
      },
    }),
    async (c) => {
      const { db, config } = c.get("services");
      const conversation = await readConversation(db.primary, requestCache(c), config, principalOf(c).userId, c.req.valid("param").id);
      return sendJsonWithEtag(c, conversation, cacheControl.private);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/conversations/{id}",
      tags: ["Conversations"],
      summary: "Delete a conversation and its messages",
      ...authGuard,
      request: { params: IdParam },
      responses: {
        204: { description: "Deleted" },
        ...errorsFor(400, 401, 404, 503),
      },
    }),
    async (c) => {
      const { db, config } = c.get("services");
      const { userId } = principalOf(c);
      const { id } = c.req.valid("param");
      await deleteConversation(db.primary, userId, id);
      await reviseConversationCache(requestCache(c), config, userId, id);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/conversations/{id}/messages",
      tags: ["Conversations"],
      summary: "A conversation's messages, oldest first",
      ...authGuard,
      request: { params: IdParam, query: PageQuery },
      responses: {
        200: jsonResponse(MessagePageSchema, "One page, oldest first"),
        ...notModified,
        ...errorsFor(400, 401, 404, 503),
      },
    }),
    async (c) => {
      const { limit, cursor } = c.req.valid("query");
      const { db, config } = c.get("services");
      const page = await readMessagePage(db.primary, requestCache(c), config, principalOf(c).userId, c.req.valid("param").id, limit, cursor);
      return sendJsonWithEtag(c, page, cacheControl.private);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/conversations/{id}/messages",
      tags: ["Conversations"],
      summary: "Post a message; the AI's reply is written by a background job",
      description:
        "Answers 202 at once with your message, the pending reply and its job (follow it at `/api/v1/jobs/{id}` or its " +
        "`/events`). Counts towards your hourly AI limit and the global daily AI quota. With `Idempotency-Key`, a repeat " +
        "within 24 h returns the first response and starts nothing. Every message is screened for a possible crisis " +
        "(suicide, self-harm, harming someone): a match is still accepted, answers `needsSupport: true`, and the coach's " +
        "reply is asked to respond with care and the support resources (`/api/v1/support-resources`). A match that only " +
        "your AI limits or today's AI quota would refuse is still accepted (202, `needsSupport: true`, no 429): its reply " +
        "is already `complete` with a fixed caring message pointing to the support resources, and its job already " +
        "`succeeded` with 0 attempts; no model call is made or counted (up to a per-user hourly number of such answers).",
      ...authGuard,
      request: { params: IdParam, headers: IdempotencyHeaders, body: jsonBody(NewMessageSchema) },
      responses: {
        202: jsonResponse(MessageAcceptedSchema, "Accepted: the reply is pending (already complete for a crisis message the AI quotas would refuse)"),
        ...errorsFor(400, 401, 404, 413, 415),
        409: { ...errorResponses[409], description: "The Idempotency-Key was used with a different request" },
        429: {
          ...errorResponses[429],
          description:
            "`rate_limited` (your hourly or daily AI limit, or your address's daily one) or `ai_quota_exhausted` (today's quota); `Retry-After` set. Never for a message screened as a possible crisis (see above)",
        },
        503: errorResponses[503],
      },
    }),
    async (c) => {
      const { userId } = principalOf(c);
      const conversationId = c.req.valid("param").id;
      const body = c.req.valid("json");
      const db = c.get("services").db.primary;
      // Screened before anything is queued; a match never blocks, and only its categories are logged.
      const screening = screenMessage(body.content);
      if (screening.needsSupport) c.get("logger").info("message flagged for support", { conversationId, categories: screening.categories });
      const accepted = await startAiWork(c, {
        userId,
        idempotencyKey: c.req.valid("header")["idempotency-key"],
        requestBody: body,
        preload: async () => undefined,
        plan: () => planMessage(db, userId, conversationId, body.content, screening.needsSupport),
        notWritten: () => new ApiError("not_found", "Conversation not found"),
        // A possible crisis is never met with a quota banner: the caring reply at once, no model call.
        withoutModel: screening.needsSupport
          ? async () => ((await mayAnswerWithoutModel(c.get("services"), userId)) ? planMessage(db, userId, conversationId, body.content, true, careReplyWithoutModel()) : undefined)
          : undefined,
      });
      if (screening.needsSupport && accepted.job.status === "succeeded") {
        c.get("logger").info("flagged message answered without a model call (AI quota spent)", { conversationId, categories: screening.categories });
      }
      await reviseConversationCache(requestCache(c), c.get("services").config, userId, conversationId);
      return c.json(accepted, 202);
    },
  );
