/** GET /me/trends (API.md "Auth and accounts"): the caller's scores on one instrument over time. */
import { createRoute } from "@hono/zod-openapi";
import { bearerSecurity, principalOf, requireAuth } from "../auth/middleware.ts";
import { ApiError } from "../errors.ts";
import { cacheControl, sendJsonWithEtag } from "../http/etag.ts";
import { createRouter, errorResponses, notModified, taggedJsonResponse } from "../http/openapi.ts";
import { requestCache } from "../platform/cache.ts";
import { TrendQuery, TrendSchema } from "./schemas.ts";
import { readTrend } from "./service.ts";

export const trendRoutes = createRouter().openapi(
  createRoute({
    method: "get",
    path: "/me/trends",
    tags: ["Account"],
    summary: "Your completed scores on one instrument over time, per scale",
    description:
      "Points are oldest first and come from completed assessments only (a submitted assessment joins once its " +
      "analysis is written). Each point names the template version it was taken on; `itemsChangedAt` lists the " +
      "versions where a scale's items changed, so scores across such a version are shown apart, not joined. " +
      "Cached with your assessments: submitting, deleting and a finished analysis refresh it.",
    security: bearerSecurity,
    middleware: [requireAuth] as const,
    request: { query: TrendQuery },
    responses: {
      200: taggedJsonResponse(TrendSchema, "The trend", cacheControl.private),
      ...notModified,
      400: { ...errorResponses[400], description: "`template` is missing or not a slug" },
      401: errorResponses[401],
      404: { ...errorResponses[404], description: "No template with that slug" },
      503: errorResponses[503],
    },
  }),
  async (c) => {
    const { userId } = principalOf(c);
    const { db, config } = c.get("services");
    const slug = c.req.valid("query").template;
    const trend = await readTrend(db.primary, requestCache(c), config, userId, slug);
    if (!trend) throw new ApiError("not_found", `No template '${slug}'`);
    return sendJsonWithEtag(c, trend, cacheControl.private);
  },
);
