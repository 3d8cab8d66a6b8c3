ALTER TABLE "idempotency_keys" ADD COLUMN "assessment_id" uuid;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD COLUMN "conversation_id" uuid;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_assessment_id_assessments_id_fk" FOREIGN KEY ("assessment_id") REFERENCES "public"."assessments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idempotency_keys_assessment_idx" ON "idempotency_keys" USING btree ("assessment_id") WHERE "idempotency_keys"."assessment_id" is not null;--> statement-breakpoint
CREATE INDEX "idempotency_keys_conversation_idx" ON "idempotency_keys" USING btree ("conversation_id") WHERE "idempotency_keys"."conversation_id" is not null;