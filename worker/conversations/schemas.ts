/** Conversation and message shapes of API.md and the bodies of their routes. */
import { z } from "@hono/zod-openapi";
import { pageOf, text } from "../http/openapi.ts";
import { JobSchema } from "../jobs/service.ts";

export const ConversationSchema = z
  .object({
    id: z.uuid(),
    title: z.string(),
    assessmentId: z.uuid().nullable().openapi({ description: "The assessment whose scores the AI sees, if linked" }),
    createdAt: z.iso.datetime(),
    lastMessageAt: z.iso.datetime().nullable(),
    supportFlaggedAt: z.iso.datetime().nullable().openapi({
      description: "When a message of this conversation was last screened as a possible crisis (the client keeps the support resources open)",
    }),
  })
  .openapi("Conversation");

export const MessageSchema = z
  .object({
    id: z.uuid(),
    role: z.enum(["user", "assistant"]),
    content: z.string().openapi({ description: "Empty while an assistant message is pending" }),
    status: z.enum(["pending", "complete", "failed"]),
    createdAt: z.iso.datetime(),
  })
  .openapi("Message");

export const ConversationPageSchema = pageOf(ConversationSchema).openapi("ConversationPage", {
  description: "Newest first; pass `nextCursor` back as `cursor` for the next page",
});

export const MessagePageSchema = pageOf(MessageSchema).openapi("MessagePage", {
  description: "OLDEST first; pass `nextCursor` back as `cursor` for the next page",
});

export const NewConversationSchema = z
  .object({
    title: text().trim().min(1).max(200).optional().openapi({ example: "My WHO-5 results" }),
    assessmentId: z.uuid().optional().openapi({ description: "One of your assessments; its scores become the AI's context" }),
  })
  .openapi("NewConversation");

export const NewMessageSchema = z
  .object({
    content: text()
      .min(1)
      .max(4000)
      .refine((s) => s.trim().length > 0, "Must not be blank")
      .openapi({ example: "What could I do this week to feel more rested?" }),
  })
  .openapi("NewMessage");

export const MessageAcceptedSchema = z
  .object({
    message: MessageSchema,
    reply: MessageSchema.openapi({ description: "The assistant's message: pending until the job finishes" }),
    job: JobSchema,
    needsSupport: z.boolean().openapi({
      description: "The message was screened as a possible crisis: show the support resources now (the message is accepted all the same)",
    }),
  })
  .openapi("MessageAccepted");

export type Conversation = z.infer<typeof ConversationSchema>;
export type ConversationPage = z.infer<typeof ConversationPageSchema>;
export type Message = z.infer<typeof MessageSchema>;
export type MessagePage = z.infer<typeof MessagePageSchema>;
export type MessageAccepted = z.infer<typeof MessageAcceptedSchema>;
