import * as z from "zod/mini";

export const MAX_MESSAGE = 4000;

export const messageSchema = z.object({
  content: z
    .string()
    .check(
      z.trim(),
      z.minLength(1, "Write a message first"),
      z.maxLength(MAX_MESSAGE, `Messages can be up to ${MAX_MESSAGE.toLocaleString("en")} characters`),
    ),
});
export type MessageValues = z.infer<typeof messageSchema>;
