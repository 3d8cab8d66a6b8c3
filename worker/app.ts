/**
 * Builds the Hono app: the middleware chain of DESIGN.md, the feature routers, the OpenAPI
 * document and the one error handler. Production and tests build it the same way.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "./context.ts";
import { ApiError } from "./errors.ts";
import { errorResponse, toApiError } from "./http/errors.ts";
import { corsFromConfig, limitBody, logUnexpected, requestContext, requireJsonBody } from "./http/middleware.ts";
import { newId } from "./platform/ids.ts";
import { apiDocsPage } from "./ops/docs.ts";
import { opsRoutes } from "./ops/routes.ts";
import { templateRoutes } from "./templates/routes.ts";
import { assessmentRoutes } from "./assessments/routes.ts";
import { authRoutes } from "./auth/routes.ts";
import { submitRoutes } from "./assessments/submit.ts";
import { conversationRoutes } from "./conversations/routes.ts";
import { jobRoutes } from "./jobs/routes.ts";
import { supportRoutes } from "./support/routes.ts";
import { trendRoutes } from "./trends/routes.ts";
import { exportRoutes } from "./export/routes.ts";
import { usageRoutes } from "./usage/routes.ts";

export function createApp(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();

  app.use(
    "*",
    requestId({
      headerName: "X-Request-Id",
      limitLength: 128,
      generator: () => newId(),
    }),
  );
  app.use("*", requestContext);
  app.use("*", secureHeaders({ crossOriginResourcePolicy: "same-site" }));
  app.use("*", corsFromConfig);
  app.use("*", limitBody);
  app.use("*", requireJsonBody);

  app.route("/api", opsRoutes);
  app.route("/api/v1", templateRoutes);
  app.route("/api/v1", assessmentRoutes);
  app.route("/api/v1", authRoutes);
  app.route("/api/v1", submitRoutes);
  app.route("/api/v1", conversationRoutes);
  app.route("/api/v1", jobRoutes);
  app.route("/api/v1", supportRoutes);
  app.route("/api/v1", trendRoutes);
  app.route("/api/v1", exportRoutes);
  app.route("/api/v1", usageRoutes);

  app.doc31("/api/openapi.json", (c) => ({
    openapi: "3.1.0",
    info: {
      title: "Assay API",
      version: c.get("services").config.APP_VERSION,
      description: "Assessments and AI coaching at the edge. Errors always have the `Error` shape.",
    },
    servers: [{ url: new URL(c.req.url).origin }],
  }));
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
  });
  app.get("/api/docs", apiDocsPage);

  app.notFound((c) => errorResponse(c, new ApiError("not_found", `No route for ${c.req.method} ${c.req.path}`)));
  app.onError((err, c) => {
    const apiError = toApiError(err);
    if (apiError.code === "internal" || apiError.code === "unavailable") logUnexpected(c, err);
    return errorResponse(c, apiError);
  });

  return app;
}

export type App = ReturnType<typeof createApp>;
