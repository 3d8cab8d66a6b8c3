/** Admin: usage (API.md "Admin: usage"): AI spend against the budget, per UTC day. */
import { createRoute } from "@hono/zod-openapi";
import { bearerSecurity, requireAdmin, requireAuth } from "../auth/middleware.ts";
import { cacheControl, sendJsonWithEtag } from "../http/etag.ts";
import { createRouter, errorsFor, notModified, taggedJsonResponse } from "../http/openapi.ts";
import { requestCache } from "../platform/cache.ts";
import { UsageQuery, UsageSchema } from "./schemas.ts";
import { readUsage, USAGE_CACHE_SECONDS } from "./service.ts";

export const usageRoutes = createRouter().openapi(
  createRoute({
    method: "get",
    path: "/admin/usage",
    tags: ["Admin"],
    summary: "AI usage per UTC day: calls against the budget, tokens and cost per model, job outcomes, top accounts (admin)",
    description:
      `Past days come from the database and may lag by up to ${USAGE_CACHE_SECONDS} s (cached); today's \`modelCalls\` ` +
      "is live from the shared budget counter. Costs are estimates from the configured prices (`pricesAsOf`).",
    security: bearerSecurity,
    middleware: [requireAuth, requireAdmin],
    request: { query: UsageQuery },
    responses: {
      200: taggedJsonResponse(UsageSchema, "The report, newest day first", cacheControl.private),
      ...notModified,
      ...errorsFor(400, 401, 403, 503),
    },
  }),
  async (c) => {
    const { days } = c.req.valid("query");
    return sendJsonWithEtag(c, await readUsage(c.get("services"), requestCache(c), days), cacheControl.private);
  },
);
