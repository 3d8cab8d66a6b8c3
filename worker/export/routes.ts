/** GET /me/export (API.md "Auth and accounts"): everything the account owns, as a JSON attachment. */
import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity, principalOf, requireAuth } from "../auth/middleware.ts";
import { User } from "../auth/routes.ts";
import { getUser } from "../auth/service.ts";
import { AssessmentSchema } from "../assessments/schemas.ts";
import { ConversationSchema, MessageSchema } from "../conversations/schemas.ts";
import { ApiError } from "../errors.ts";
import { createRouter, errorResponses } from "../http/openapi.ts";
import { JobSchema } from "../jobs/service.ts";
import { rateLimit } from "../platform/limits.ts";
import { EXPORT_FORMAT, exportStream } from "./service.ts";

export const ExportSchema = z
  .object({
    format: z.literal(EXPORT_FORMAT).openapi({ description: "Version of this document's shape" }),
    exportedAt: z.iso.datetime(),
    user: User,
    assessments: z.array(AssessmentSchema).openapi({ description: "Every assessment, drafts included, oldest first" }),
    conversations: z
      .array(ConversationSchema.extend({ messages: z.array(MessageSchema).openapi({ description: "Oldest first" }) }))
      .openapi({ description: "Oldest first, each with all its messages" }),
    jobs: z.array(JobSchema).openapi({ description: "Every AI job (analyses and replies) and how it ended, oldest first" }),
  })
  .openapi("AccountExport");

const limitHeaders = {
  "RateLimit-Limit": { schema: { type: "integer" as const }, description: "Exports allowed per hour" },
  "RateLimit-Remaining": { schema: { type: "integer" as const }, description: "Exports left in the window" },
  "RateLimit-Reset": { schema: { type: "integer" as const }, description: "Seconds until the window resets" },
};

/** `assay-export-2026-12-02.json` */
const fileName = (now: Date) => `assay-export-${now.toISOString().slice(0, 10)}.json`;

export const exportRoutes = createRouter().openapi(
  createRoute({
    method: "get",
    path: "/me/export",
    tags: ["Account"],
    summary: "Download everything your account owns",
    description:
      "A JSON attachment: your profile, every assessment with its answers, scores and analysis, every conversation " +
      "with its messages, and every AI job with its outcome, with the same field names as the API's own objects " +
      "(see docs/EXPORT.md). Streamed, so it starts at once whatever the account's size. Never cached " +
      "(`Cache-Control: no-store`). Limited to a few per hour per account (429 with `Retry-After`).",
    security: bearerSecurity,
    middleware: [requireAuth, rateLimit("account.export.user", (c) => principalOf(c).userId)] as const,
    responses: {
      200: {
        description: "The export, as an attachment",
        content: { "application/json": { schema: ExportSchema } },
        headers: {
          ...limitHeaders,
          "Content-Disposition": { schema: { type: "string" as const }, description: 'attachment; filename="assay-export-YYYY-MM-DD.json"' },
          "Cache-Control": { schema: { type: "string" as const }, description: "no-store" },
        },
      },
      401: errorResponses[401],
      429: {
        ...errorResponses[429],
        description: "Too many exports this hour; see Retry-After",
        headers: { ...limitHeaders, "Retry-After": { schema: { type: "integer" as const }, description: "Seconds to wait" } },
      },
      503: errorResponses[503],
    },
  }),
  async (c) => {
    const { userId } = principalOf(c);
    const services = c.get("services");
    const user = await getUser(services, userId);
    if (!user) throw new ApiError("unauthorized", "The account no longer exists");
    const response = c.body(exportStream(services.db.primary, user, c.get("logger")), 200, {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="${fileName(new Date())}"`,
      "Cache-Control": "no-store",
    });
    // The body is the documented JSON produced as a stream, which Hono's typed responses cannot express.
    return response as never;
  },
);
