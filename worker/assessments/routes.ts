/** Assessments (API.md "Assessments"), all (auth) and scoped to the caller; `submit` lives in submit.ts. */
import { createRoute } from "@hono/zod-openapi";
import { bearerSecurity, limitPerUser, principalOf, requireAuth } from "../auth/middleware.ts";
import { ApiError } from "../errors.ts";
import { cacheControl, sendJsonWithEtag } from "../http/etag.ts";
import { createRouter, errorResponses, errorsFor, IdParam, jsonBody, jsonResponse, notModified, PageQuery, taggedJsonResponse } from "../http/openapi.ts";
import { requestCache } from "../platform/cache.ts";
import { AnswersBodySchema, AssessmentPageSchema, AssessmentSchema, NewAssessmentSchema } from "./schemas.ts";
import {
  createAssessment,
  deleteAssessment,
  readAssessment,
  readAssessmentPage,
  reviseAssessmentCache,
  saveAnswers,
} from "./service.ts";

const authGuard = { security: bearerSecurity, middleware: [requireAuth] };

export const assessmentRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/assessments",
      tags: ["Assessments"],
      summary: "Start a draft on the template's current version",
      description: "Limited per user (`RateLimit-*` headers; 429 `rate_limited` with `Retry-After`).",
      security: bearerSecurity,
      middleware: [requireAuth, limitPerUser("assessments.create.user")] as const,
      request: { body: jsonBody(NewAssessmentSchema) },
      responses: {
        201: jsonResponse(AssessmentSchema, "The new draft"),
        ...errorsFor(400, 401, 413, 415, 429, 503),
        404: { ...errorResponses[404], description: "No published template with that slug" },
      },
    }),
    async (c) => {
      const { userId } = principalOf(c);
      const { db, config } = c.get("services");
      const assessment = await createAssessment(db.primary, userId, c.req.valid("json").templateSlug);
      await reviseAssessmentCache(requestCache(c), config, userId, assessment.id, assessment, { pagesShift: true });
      c.header("Location", `/api/v1/assessments/${assessment.id}`);
      return c.json(assessment, 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/assessments",
      tags: ["Assessments"],
      summary: "The caller's assessments, newest first",
      ...authGuard,
      request: { query: PageQuery },
      responses: {
        200: taggedJsonResponse(AssessmentPageSchema, "One page", cacheControl.private),
        ...notModified,
        400: { ...errorResponses[400], description: "Bad limit or cursor" },
        ...errorsFor(401, 503),
      },
    }),
    async (c) => {
      const { userId } = principalOf(c);
      const { limit, cursor } = c.req.valid("query");
      const { db, config } = c.get("services");
      const page = await readAssessmentPage(db.primary, requestCache(c), config, userId, limit, cursor);
      return sendJsonWithEtag(c, page, cacheControl.private);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/assessments/{id}",
      tags: ["Assessments"],
      summary: "One of the caller's assessments",
      ...authGuard,
      request: { params: IdParam },
      responses: {
        200: taggedJsonResponse(AssessmentSchema, "The assessment", cacheControl.private),
        ...notModified,
        400: { ...errorResponses[400], description: "The id is not a UUID" },
        ...errorsFor(401, 404, 503),
      },
    }),
    async (c) => {
      const { userId } = principalOf(c);
      const { id } = c.req.valid("param");
      const { db, config } = c.get("services");
      const assessment = await readAssessment(db.primary, requestCache(c), config, userId, id);
      if (!assessment) throw new ApiError("not_found", "Assessment not found");
      return sendJsonWithEtag(c, assessment, cacheControl.private);
    },
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/assessments/{id}/answers",
      tags: ["Assessments"],
      summary: "Merge answers into a draft; each is checked against its question",
      description: "Limited per user (`RateLimit-*` headers; 429 `rate_limited` with `Retry-After`).",
      security: bearerSecurity,
      middleware: [requireAuth, limitPerUser("assessments.answers.user")] as const,
      request: { params: IdParam, body: jsonBody(AnswersBodySchema) },
      responses: {
        200: jsonResponse(AssessmentSchema, "The draft with the merged answers"),
        400: { ...errorResponses[400], description: "An answer does not fit its question (one detail per answer)" },
        ...errorsFor(401, 404, 413, 415, 429, 503),
        409: { ...errorResponses[409], description: "The assessment is no longer a draft" },
      },
    }),
    async (c) => {
      const { userId } = principalOf(c);
      const { id } = c.req.valid("param");
      const { db, config } = c.get("services");
      const assessment = await saveAnswers(db.primary, userId, id, c.req.valid("json").answers);
      await reviseAssessmentCache(requestCache(c), config, userId, id, assessment);
      return c.json(assessment, 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/assessments/{id}",
      tags: ["Assessments"],
      summary: "Delete one of the caller's assessments",
      ...authGuard,
      request: { params: IdParam },
      responses: {
        204: { description: "Deleted" },
        400: { ...errorResponses[400], description: "The id is not a UUID" },
        ...errorsFor(401, 404, 503),
      },
    }),
    async (c) => {
      const { userId } = principalOf(c);
      const { id } = c.req.valid("param");
      const { db, config } = c.get("services");
      await deleteAssessment(db.primary, userId, id);
      await reviseAssessmentCache(requestCache(c), config, userId, id, undefined, { pagesShift: true });
      return c.body(null, 204);
    },
  );
