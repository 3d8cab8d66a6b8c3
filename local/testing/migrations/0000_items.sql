CREATE TABLE "items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"data" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"quantity" integer,
	"active" boolean DEFAULT true NOT NULL,
	"tags" text[],
	"note" text,
	CONSTRAINT "items_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE INDEX "items_created_at_idx" ON "items" USING btree ("created_at");
