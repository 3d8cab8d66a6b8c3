/** GET /api/v1/support-resources (public): the crisis and support contacts (resources.json). */
import { createRoute } from "@hono/zod-openapi";
import { cacheControl, sendTagged, taggedJson, type CachedBody } from "../http/etag.ts";
import { createRouter, taggedJsonResponse, notModified } from "../http/openapi.ts";
import { SupportResourceListSchema, supportResources } from "./resources.ts";

/** Browsers and shared caches may keep the list this long; a deploy changes it. */
export const SUPPORT_MAX_AGE_SECONDS = 3600;
const policy = cacheControl.public(SUPPORT_MAX_AGE_SECONDS);

/** The list is bundled data: serialised and tagged once per isolate, then served with no round trip. */
let tagged: Promise<CachedBody> | undefined;

export const supportRoutes = createRouter().openapi(
  createRoute({
    method: "get",
    path: "/support-resources",
    tags: ["Support"],
    summary: "Crisis and support contacts by country and language (public)",
    description:
      "Helplines, text lines, emergency numbers and directories, by `region` (ISO 3166-1 alpha-2) and `language`. " +
      'An item with `region: "international"` is always present: show it when no region matches. Served from data ' +
      "bundled with the Worker: no database or cache round trip, available while they are down.",
    responses: {
      200: taggedJsonResponse(SupportResourceListSchema, "Every configured contact", policy),
      ...notModified,
    },
  }),
  async (c) => {
    tagged ??= taggedJson({ items: supportResources });
    return sendTagged(c, await tagged, policy);
  },
);
