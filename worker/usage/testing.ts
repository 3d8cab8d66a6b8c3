/** Test helpers for the usage report: chat messages whose AI jobs run through the real pipeline. */
import type { Env } from "../config.ts";
import type { Conversation, MessageAccepted } from "../conversations/schemas.ts";
import { callWith } from "../jobs/testing.ts";
import { call } from "../testing/http.ts";
import type { RegisteredUser } from "../testing/users.ts";
import type { Usage } from "./schemas.ts";

/** Posts one chat message (`content`) in a new conversation (through `target`'s env when given); expects 202. */
export async function chat(user: RegisteredUser, target?: Env, content = "What is one small habit worth trying?"): Promise<MessageAccepted> {
  const conversation = await call<Conversation>("POST", "/api/v1/conversations", { token: user.accessToken, body: {} });
  const path = `/api/v1/conversations/${conversation.body.id}/messages`;
  const options = { token: user.accessToken, body: { content } };
  const res = target ? await callWith<MessageAccepted>(target, "POST", path, options) : await call<MessageAccepted>("POST", path, options);
  if (res.status !== 202) throw new Error(`chat: expected 202, got ${res.status}: ${res.text}`);
  return res.body;
}

/** GET /admin/usage as `admin`; throws unless 200. */
export async function usage(admin: RegisteredUser, days: number): Promise<Usage> {
  const res = await call<Usage>("GET", `/api/v1/admin/usage?days=${days}`, { token: admin.accessToken });
  if (res.status !== 200) throw new Error(`usage: expected 200, got ${res.status}: ${res.text}`);
  return res.body;
}
