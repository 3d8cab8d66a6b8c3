import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { jobs, messages } from "../db/schema.ts";
import { baseEnv, waitForJob } from "../jobs/testing.ts";
import { servicesFor } from "../platform/services.ts";
import { call } from "../testing/http.ts";
import { registerPair, type RegisteredUser } from "../testing/users.ts";
import type { Conversation, MessageAccepted, MessagePage } from "./schemas.ts";
import type { ErrorBody } from "../errors.ts";

let alice: RegisteredUser;
let bob: RegisteredUser;

beforeAll(async () => {
  [alice, bob] = await registerPair();
});

async function newConversation(user: RegisteredUser): Promise<Conversation> {
  const res = await call<Conversation>("POST", "/api/v1/conversations", { token: user.accessToken, body: {} });
  expect(res.status).toBe(201);
  return res.body;
}

function post(user: RegisteredUser, conversationId: string, content: unknown, headers: Record<string, string> = {}) {
  return call<MessageAccepted & ErrorBody>("POST", `/api/v1/conversations/${conversationId}/messages`, {
    token: user.accessToken,
    body: { content },
    headers,
  });
}

async function jobCount(userId: string, subjectIds: string[]): Promise<number> {
  const { db } = servicesFor(baseEnv);
  const rows = await db.primary.select({ id: jobs.id, subjectId: jobs.subjectId }).from(jobs).where(eq(jobs.userId, userId));
  return rows.filter((r) => subjectIds.includes(r.subjectId)).length;
}

describe("POST /api/v1/conversations/:id/messages", () => {
  it("answers 202 at once with the message, the pending reply and its job; the reply is then written", async () => {
    const conversation = await newConversation(alice);
    const res = await post(alice, conversation.id, "How can I sleep better?");
    expect(res.status).toBe(202);
    expect(res.body.message).toEqual({
      id: expect.any(String),
      role: "user",
      content: "How can I sleep better?",
      status: "complete",
      createdAt: expect.any(String),
    });
    expect(res.body.reply).toMatchObject({ role: "assistant", content: "", status: "pending" });
    expect(res.body.job).toMatchObject({ kind: "chat_reply", status: "queued", attempts: 0, error: null, subjectId: res.body.reply.id });
    expect(res.headers.get("location")).toBe(`/api/v1/jobs/${res.body.job.id}`);

    const job = await waitForJob(alice.accessToken, res.body.job.id);
    expect(job).toMatchObject({ status: "succeeded", attempts: 1, error: null });

    const page = await call<MessagePage>("GET", `/api/v1/conversations/${conversation.id}/messages`, { token: alice.accessToken });
    expect(page.status).toBe(200);
    expect(page.body.items.map((m) => [m.role, m.status])).toEqual([
      ["user", "complete"],
      ["assistant", "complete"],
    ]);
    expect(page.body.items[1]?.content.length).toBeGreaterThan(0);

    const after = await call<Conversation>("GET", `/api/v1/conversations/${conversation.id}`, { token: alice.accessToken });
    expect(after.body.lastMessageAt).toBe(res.body.message.createdAt);
  });

  it("makes one database round trip, and three Upstash ones: the admission, then the cache revision (read, script)", async () => {
    const conversation = await newConversation(alice);
    const res = await post(alice, conversation.id, "count my round trips");
    expect(res.status).toBe(202);
    const timing = res.headers.get("server-timing") ?? "";
    expect(timing).toMatch(/db;dur=[\d.]+;desc="1 round trips"/);
    expect(timing).toMatch(/cache;dur=[\d.]+;desc="[^"]*, 3 round trips"/);
    await waitForJob(alice.accessToken, res.body.job.id);
  });

  it("replays the first response for the same Idempotency-Key and starts one job", async () => {
    const conversation = await newConversation(alice);
    const headers = { "Idempotency-Key": `key-${crypto.randomUUID()}` };
    const first = await post(alice, conversation.id, "Hello", headers);
    const second = await post(alice, conversation.id, "Hello", headers);
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.text).toBe(first.text);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(await jobCount(alice.user.id, [first.body.reply.id])).toBe(1);

    await waitForJob(alice.accessToken, first.body.job.id);
    const page = await call<MessagePage>("GET", `/api/v1/conversations/${conversation.id}/messages`, { token: alice.accessToken });
    expect(page.body.items).toHaveLength(2);
  });

  it("starts one job when two requests with the same Idempotency-Key race", async () => {
    const conversation = await newConversation(alice);
    const headers = { "Idempotency-Key": `race-${crypto.randomUUID()}` };
    const [a, b] = await Promise.all([post(alice, conversation.id, "race", headers), post(alice, conversation.id, "race", headers)]);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(b.body).toEqual(a.body);
    await waitForJob(alice.accessToken, a.body.job.id);
    const page = await call<MessagePage>("GET", `/api/v1/conversations/${conversation.id}/messages`, { token: alice.accessToken });
    expect(page.body.items).toHaveLength(2);
  });

  it("accepts concurrent messages", async () => {
    const conversations = [await newConversation(alice), await newConversation(alice), await newConversation(alice)];
    const results = await Promise.all(conversations.map((c) => post(alice, c.id, "at the same time")));
    expect(results.map((r) => r.status)).toEqual([202, 202, 202]);
    for (const r of results) await waitForJob(alice.accessToken, r.body.job.id);
  });

  it("returns 409 when the same Idempotency-Key comes with a different request", async () => {
    const conversation = await newConversation(alice);
    const headers = { "Idempotency-Key": `key-${crypto.randomUUID()}` };
    expect((await post(alice, conversation.id, "one", headers)).status).toBe(202);
    const other = await post(alice, conversation.id, "two", headers);
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe("conflict");
  });

  it("keeps Idempotency-Keys per user", async () => {
    const key = { "Idempotency-Key": `shared-${crypto.randomUUID()}` };
    const mine = await newConversation(alice);
    const theirs = await newConversation(bob);
    const a = await post(alice, mine.id, "same words", key);
    const b = await post(bob, theirs.id, "same words", key);
    expect(a.status).toBe(202);
    expect(b.status).toBe(202);
    expect(b.body.job.id).not.toBe(a.body.job.id);
  });

  it("returns 400 for an Idempotency-Key over 255 characters", async () => {
    const conversation = await newConversation(alice);
    const res = await post(alice, conversation.id, "hi", { "Idempotency-Key": "k".repeat(256) });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
  });

  it("returns 400 for empty, blank, too long or missing content", async () => {
    const conversation = await newConversation(alice);
    for (const content of ["", "   ", "x".repeat(4001), undefined, 42]) {
      const res = await post(alice, conversation.id, content);
      expect(res.status, JSON.stringify(content)).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
      expect(res.body.error.details?.[0]?.path).toBe("content");
    }
    expect((await post(alice, conversation.id, "x".repeat(4000))).status).toBe(202);
  });

  it("returns 400 for a body that is not JSON and 415 for a non-JSON content type", async () => {
    const conversation = await newConversation(alice);
    const path = `/api/v1/conversations/${conversation.id}/messages`;
    const invalid = await call<ErrorBody>("POST", path, {
      token: alice.accessToken,
      rawBody: "{nope",
      headers: { "content-type": "application/json" },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe("invalid_json");
    const text = await call<ErrorBody>("POST", path, { token: alice.accessToken, rawBody: "hi", headers: { "content-type": "text/plain" } });
    expect(text.status).toBe(415);
  });

  it("returns 404 for another user's conversation and writes nothing", async () => {
    const conversation = await newConversation(bob);
    const res = await post(alice, conversation.id, "let me in");
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
    const { db } = servicesFor(baseEnv);
    const rows = await db.primary.select().from(messages).where(and(eq(messages.conversationId, conversation.id)));
    expect(rows).toHaveLength(0);
  });

  it("returns 404 for a conversation that does not exist, 401 without a token", async () => {
    const missing = "01900000-0000-7000-8000-00000000dead";
    expect((await post(alice, missing, "hello?")).status).toBe(404);
    const conversation = await newConversation(alice);
    const res = await call<ErrorBody>("POST", `/api/v1/conversations/${conversation.id}/messages`, { body: { content: "hi" } });
    expect(res.status).toBe(401);
  });
});

describe("GET /api/v1/conversations/:id/messages", () => {
  it("lists messages oldest first, page by page", async () => {
    const conversation = await newConversation(alice);
    const first = await post(alice, conversation.id, "first");
    await waitForJob(alice.accessToken, first.body.job.id);
    const second = await post(alice, conversation.id, "second");
    await waitForJob(alice.accessToken, second.body.job.id);

    const path = `/api/v1/conversations/${conversation.id}/messages`;
    const one = await call<MessagePage>("GET", `${path}?limit=3`, { token: alice.accessToken });
    expect(one.body.items.map((m) => m.id)).toEqual([first.body.message.id, first.body.reply.id, second.body.message.id]);
    expect(one.headers.get("cache-control")).toBe("private, no-cache");
    const two = await call<MessagePage>("GET", `${path}?limit=3&cursor=${one.body.nextCursor}`, { token: alice.accessToken });
    expect(two.body.items.map((m) => m.id)).toEqual([second.body.reply.id]);
    expect(two.body.nextCursor).toBeNull();
  });

  it("returns an empty page for a new conversation", async () => {
    const conversation = await newConversation(alice);
    const res = await call<MessagePage>("GET", `/api/v1/conversations/${conversation.id}/messages`, { token: alice.accessToken });
    expect(res.body).toEqual({ items: [], nextCursor: null });
  });

  it("returns 404 for another user's conversation, 401 without a token", async () => {
    const conversation = await newConversation(bob);
    const path = `/api/v1/conversations/${conversation.id}/messages`;
    expect((await call("GET", path, { token: alice.accessToken })).status).toBe(404);
    expect((await call("GET", path)).status).toBe(401);
  });
});
