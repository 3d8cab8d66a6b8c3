/**
 * What deleting leaves behind, and bad input on the conversation and job reads: a stored
 * Idempotency-Key replay holds the content it answered, so it goes with its conversation or
 * assessment (and with the account).
 */
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { idempotencyKeys } from "../db/schema.ts";
import type { ErrorBody } from "../errors.ts";
import { waitForJob } from "../jobs/testing.ts";
import { call } from "../testing/http.ts";
import { registerUser, testDb, type RegisteredUser } from "../testing/users.ts";
import type { MessageAccepted } from "./schemas.ts";

let alice: RegisteredUser;
beforeAll(async () => {
  alice = await registerUser();
});

async function replays(userId: string, key: string): Promise<number> {
  const rows = await testDb()
    .select({ key: idempotencyKeys.key })
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key)));
  return rows.length;
}

async function conversationWithReplay(user: RegisteredUser, key: string): Promise<string> {
  const conversation = await call<{ id: string }>("POST", "/api/v1/conversations", { token: user.accessToken, body: { title: "Private" } });
  const posted = await call<MessageAccepted>("POST", `/api/v1/conversations/${conversation.body.id}/messages`, {
    token: user.accessToken,
    body: { content: "Something I would rather not leave lying around" },
    headers: { "Idempotency-Key": key },
  });
  expect(posted.status).toBe(202);
  await waitForJob(user.accessToken, posted.body.job.id);
  expect(await replays(user.user.id, key)).toBe(1);
  return conversation.body.id;
}

async function assessmentWithReplay(user: RegisteredUser, key: string): Promise<string> {
  const created = await call<{ id: string }>("POST", "/api/v1/assessments", { token: user.accessToken, body: { templateSlug: "who-5" } });
  await call("PUT", `/api/v1/assessments/${created.body.id}/answers`, { token: user.accessToken, body: { answers: { q1: 3, q2: 4, q3: 2, q4: 3, q5: 4 } } });
  const submitted = await call<{ job: { id: string } }>("POST", `/api/v1/assessments/${created.body.id}/submit`, {
    token: user.accessToken,
    headers: { "Idempotency-Key": key },
  });
  expect(submitted.status).toBe(202);
  await waitForJob(user.accessToken, submitted.body.job.id);
  expect(await replays(user.user.id, key)).toBe(1);
  return created.body.id;
}

describe("deleting also deletes the stored Idempotency-Key replays", () => {
  it("of a conversation (its messages were in the stored response)", async () => {
    const key = `chat-${crypto.randomUUID()}`;
    const id = await conversationWithReplay(alice, key);

    expect((await call("DELETE", `/api/v1/conversations/${id}`, { token: alice.accessToken })).status).toBe(204);
    expect(await replays(alice.user.id, key)).toBe(0);
  });

  it("of an assessment (its scores were in the stored response)", async () => {
    const key = `submit-${crypto.randomUUID()}`;
    const id = await assessmentWithReplay(alice, key);

    expect((await call("DELETE", `/api/v1/assessments/${id}`, { token: alice.accessToken })).status).toBe(204);
    expect(await replays(alice.user.id, key)).toBe(0);
  });

  it("of the account", async () => {
    const carol = await registerUser();
    const key = `account-${crypto.randomUUID()}`;
    await conversationWithReplay(carol, key);

    expect((await call("DELETE", "/api/v1/me", { token: carol.accessToken, body: { password: carol.password } })).status).toBe(204);
    expect(await replays(carol.user.id, key)).toBe(0);
  });

  it("and a deleted conversation's key starts new work again instead of replaying", async () => {
    const key = `again-${crypto.randomUUID()}`;
    await call("DELETE", `/api/v1/conversations/${await conversationWithReplay(alice, key)}`, { token: alice.accessToken });
    const fresh = await call<{ id: string }>("POST", "/api/v1/conversations", { token: alice.accessToken, body: {} });

    const res = await call<MessageAccepted>("POST", `/api/v1/conversations/${fresh.body.id}/messages`, {
      token: alice.accessToken,
      body: { content: "Something I would rather not leave lying around" },
      headers: { "Idempotency-Key": key },
    });
    expect(res.headers.get("idempotent-replayed")).toBeNull();
    expect(res.status).toBe(202);
    await waitForJob(alice.accessToken, res.body.job.id);
  });
});

describe("bad input on the reads", () => {
  it.each([
    ["an id that is not a UUID", "/api/v1/conversations/not-a-uuid/messages"],
    ["limit=0", "/api/v1/conversations/01937f2e-7a9b-7c3d-8e4f-5a6b7c8d9e0f/messages?limit=0"],
    ["limit=101", "/api/v1/conversations/01937f2e-7a9b-7c3d-8e4f-5a6b7c8d9e0f/messages?limit=101"],
    ["limit=abc", "/api/v1/conversations/01937f2e-7a9b-7c3d-8e4f-5a6b7c8d9e0f/messages?limit=abc"],
    ["a cursor we never issued", "/api/v1/conversations/01937f2e-7a9b-7c3d-8e4f-5a6b7c8d9e0f/messages?cursor=bm90LWEtY3Vyc29y"],
    ["a job id that is not a UUID", "/api/v1/jobs/not-a-uuid/events"],
    ["a job id with SQL in it", `/api/v1/jobs/${encodeURIComponent("1' or '1'='1")}/events`],
  ])("GET with %s is 400 validation_failed", async (_, path) => {
    const res = await call<ErrorBody>("GET", path, { token: alice.accessToken });

    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
  });

  it.each([
    ["GET /conversations/:id/messages", "/api/v1/conversations/01937f2e-7a9b-7c3d-8e4f-5a6b7c8d9e0f/messages"],
    ["GET /jobs/:id/events", "/api/v1/jobs/01937f2e-7a9b-7c3d-8e4f-5a6b7c8d9e0f/events"],
  ])("%s is 401 without a token and 404 for an id that is not the caller's", async (_, path) => {
    expect((await call("GET", path)).status).toBe(401);
    expect((await call("GET", path, { token: alice.accessToken })).status).toBe(404);
  });
});
