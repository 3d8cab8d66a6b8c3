import { z } from "zod";

export const MAX_MESSAGE = 4000;

export const messageSchema = z.object({
  content: z.string().trim().min(1, "Write a message first").max(MAX_MESSAGE, `Messages can be up to ${MAX_MESSAGE.toLocaleString("en")} characters`),
});
export type MessageValues = z.infer<typeof messageSchema>;
