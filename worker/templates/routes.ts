/** Assessment templates (API.md "Assessment templates"): public reads, admin writes. */
import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../context.ts";
import { bearerSecurity, requireAdmin, requireAuth } from "../auth/middleware.ts";
import { ApiError } from "../errors.ts";
import { cacheControl, sendTagged, taggedJson } from "../http/etag.ts";
import { createRouter, errorResponses, errorsFor, jsonBody, jsonResponse, notModified, taggedJsonResponse } from "../http/openapi.ts";
import { requestCache } from "../platform/cache.ts";
import { forgetAtEdge, readAtEdge, TEMPLATE_MAX_AGE_SECONDS } from "./edge.ts";
import { NewTemplateSchema, SlugParam, TemplateContentSchema, TemplateListSchema, TemplateSchema, VersionQuery } from "./schemas.ts";
import {
  createTemplate,
  publishTemplateVersion,
  readTemplate,
  readTemplateList,
  templatesFamily,
  unpublishTemplate,
} from "./service.ts";

const LIST_PATH = "/api/v1/templates";
const pathOf = (slug: string) => `${LIST_PATH}/${encodeURIComponent(slug)}`;

const templateCaching = cacheControl.public(TEMPLATE_MAX_AGE_SECONDS);
const adminGuard = { security: bearerSecurity, middleware: [requireAuth, requireAdmin] };

/** Read-your-writes for the admin: the shared cache, this isolate and this colo, before answering. */
async function forgetTemplate(c: Context<AppEnv>, slug: string): Promise<void> {
  await Promise.all([
    requestCache(c).invalidate(templatesFamily(c.get("services").config)),
    forgetAtEdge(c, [LIST_PATH, pathOf(slug)]),
  ]);
}

export const templateRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/templates",
      tags: ["Templates"],
      summary: "Published templates (public)",
      responses: {
        200: taggedJsonResponse(TemplateListSchema, "Published templates, by slug", templateCaching),
        ...notModified,
        503: errorResponses[503],
      },
    }),
    async (c) => {
      const { db, config } = c.get("services");
      const tagged = await readAtEdge(c, LIST_PATH, async () =>
        taggedJson({ items: await readTemplateList(db, requestCache(c), config) }),
      );
      if (!tagged) throw new ApiError("internal", "The template list could not be built");
      return sendTagged(c, tagged, templateCaching);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/templates/{slug}",
      tags: ["Templates"],
      summary: "A published template with its questions and scales (public)",
      description:
        "Without `version`, the current version of a published template. With `version`, that immutable version, " +
        "even if the template was unpublished since: assessments keep the version they started with.",
      request: { params: SlugParam, query: VersionQuery },
      responses: {
        200: taggedJsonResponse(TemplateSchema, "The current (or the requested) version", templateCaching),
        ...notModified,
        ...errorsFor(404, 503),
      },
    }),
    async (c) => {
      const { slug } = c.req.valid("param");
      const { version } = c.req.valid("query");
      const { db, config } = c.get("services");
      const edgePath = version === undefined ? pathOf(slug) : `${pathOf(slug)}?version=${version}`;
      const tagged = await readAtEdge(c, edgePath, async () => {
        const template = await readTemplate(db, requestCache(c), config, slug, version);
        return template && taggedJson(template);
      });
      if (!tagged) throw new ApiError("not_found", version === undefined ? `No template '${slug}'` : `No version ${version} of '${slug}'`);
      return sendTagged(c, tagged, templateCaching);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/templates",
      tags: ["Templates"],
      summary: "Create a template, published as version 1 (admin)",
      ...adminGuard,
      request: { body: jsonBody(NewTemplateSchema) },
      responses: {
        201: jsonResponse(TemplateSchema, "Created"),
        ...errorsFor(400, 401, 403, 413, 415, 503),
        409: { ...errorResponses[409], description: "The slug is taken" },
      },
    }),
    async (c) => {
      const template = await createTemplate(c.get("services").db.primary, c.req.valid("json"));
      await forgetTemplate(c, template.slug);
      return c.json(template, 201);
    },
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/templates/{slug}",
      tags: ["Templates"],
      summary: "Publish a new version (admin); existing assessments keep the version they started with",
      ...adminGuard,
      request: { params: SlugParam, body: jsonBody(TemplateContentSchema) },
      responses: {
        200: jsonResponse(TemplateSchema, "The new current version"),
        ...errorsFor(400, 401, 403, 404, 413, 415, 503),
      },
    }),
    async (c) => {
      const { slug } = c.req.valid("param");
      const template = await publishTemplateVersion(c.get("services").db.primary, slug, c.req.valid("json"));
      await forgetTemplate(c, slug);
      return c.json(template, 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/templates/{slug}",
      tags: ["Templates"],
      summary: "Unpublish (admin): hidden from lists and new assessments; existing assessments keep it",
      ...adminGuard,
      request: { params: SlugParam },
      responses: {
        204: { description: "Unpublished" },
        ...errorsFor(401, 403, 404, 503),
      },
    }),
    async (c) => {
      const { slug } = c.req.valid("param");
      await unpublishTemplate(c.get("services").db.primary, slug);
      await forgetTemplate(c, slug);
      return c.body(null, 204);
    },
  );
