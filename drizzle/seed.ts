/**
 * Seeds the reference data: the Mini-IPIP and WHO-5 templates, version 1. Idempotent: existing
 * rows are left as they are, so running it twice (or after an admin published version 2) changes
 * nothing. Runs over Neon's HTTP protocol like the app (`npm run db:seed`, the local stack).
 */
import { neon } from "@neondatabase/serverless";
import { drizzle } from "drizzle-orm/neon-http";
import { templates, templateVersions } from "../worker/db/schema.ts";
import { miniIpip } from "./seed/mini-ipip.ts";
import { who5 } from "./seed/who-5.ts";

/** Fixed ids keep the seed idempotent and let tests refer to the seeded rows. */
export const seededTemplates = [
  { templateId: "01900000-0000-7000-8000-000000000001", versionId: "01900000-0000-7000-8000-000000000101", ...miniIpip },
  { templateId: "01900000-0000-7000-8000-000000000002", versionId: "01900000-0000-7000-8000-000000000102", ...who5 },
];

export async function seedDatabase(connectionString: string): Promise<void> {
  const db = drizzle({ client: neon(connectionString) });
  await db.batch([
    db
      .insert(templates)
      .values(seededTemplates.map((t) => ({ id: t.templateId, slug: t.slug, currentVersion: 1 })))
      .onConflictDoNothing(),
    db
      .insert(templateVersions)
      .values(
        seededTemplates.map((t) => ({
          id: t.versionId,
          templateId: t.templateId,
          version: 1,
          title: t.title,
          description: t.description,
          estimatedMinutes: t.estimatedMinutes,
          questions: t.questions,
          scales: t.scales,
        })),
      )
      .onConflictDoNothing(),
  ]);
}
