ALTER TABLE "assessments" ADD COLUMN "needs_support" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "support_flagged_at" timestamp with time zone;--> statement-breakpoint
-- Data (docs/SUPPORT.md): WHO-5's support threshold on the seeded version 1, which predates the
-- field (it changes no score), then `needs_support` for results already submitted.
UPDATE "template_versions" SET "scales" = jsonb_set("scales", '{0,supportAtOrBelow}', '28')
WHERE "id" = '01900000-0000-7000-8000-000000000102' AND "scales"->0->>'id' = 'wellbeing' AND NOT ("scales"->0 ? 'supportAtOrBelow');--> statement-breakpoint
UPDATE "assessments" AS a SET "needs_support" = true
FROM "template_versions" AS v, jsonb_array_elements(v."scales") AS s(scale)
WHERE v."id" = a."template_version_id" AND a."scores" IS NOT NULL AND s.scale ? 'supportAtOrBelow'
  AND (a."scores"->>(s.scale->>'id'))::numeric <= (s.scale->>'supportAtOrBelow')::numeric;
