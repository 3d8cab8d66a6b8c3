import { beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../config.ts";
import type { Conversation, MessageAccepted, MessagePage } from "../conversations/schemas.ts";
import { call } from "../testing/http.ts";
import { eq, inArray } from "drizzle-orm";
import { idempotencyKeys, refreshTokens } from "../db/schema.ts";
import { newId } from "../platform/ids.ts";
import { registerUser, testDb, type RegisteredUser } from "../testing/users.ts";
import { baseEnv, callWith, envWith, jobRow, lostQueue, runSweeper, waitForJob } from "./testing.ts";

let alice: RegisteredUser;
let lostSends: Env;

beforeAll(async () => {
  lostSends = envWith({ AI_JOBS: lostQueue });
  alice = await registerUser();
});

async function postWithLostSend(): Promise<{ conversationId: string; accepted: MessageAccepted }> {
  const conversation = await call<Conversation>("POST", "/api/v1/conversations", { token: alice.accessToken, body: {} });
  const res = await callWith<MessageAccepted>(lostSends, "POST", `/api/v1/conversations/${conversation.body.id}/messages`, {
    token: alice.accessToken,
    body: { content: "Is anyone there?" },
  });
  expect(res.status).toBe(202);
  return { conversationId: conversation.body.id, accepted: res.body };
}

describe("outbox sweeper", () => {
  it("finishes a job whose queue send was lost", async () => {
    const { conversationId, accepted } = await postWithLostSend();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await jobRow(accepted.job.id)).status).toBe("queued");

    await runSweeper({ ...baseEnv, AI_SWEEP_AFTER_SECONDS: "0" });

    const job = await waitForJob(alice.accessToken, accepted.job.id);
    expect(job).toMatchObject({ status: "succeeded", attempts: 1 });
    const page = await call<MessagePage>("GET", `/api/v1/conversations/${conversationId}/messages`, { token: alice.accessToken });
    expect(page.body.items.at(-1)).toMatchObject({ id: accepted.reply.id, status: "complete" });
  });

  it("leaves recent jobs to the queue", async () => {
    const { accepted } = await postWithLostSend();
    const before = await jobRow(accepted.job.id);
    await runSweeper(baseEnv);
    const after = await jobRow(accepted.job.id);
    expect(after.status).toBe("queued");
    expect(after.updatedAt.getTime()).toBe(before.updatedAt.getTime());
  });

  it("drops expired refresh tokens and idempotency records, and keeps live ones", async () => {
    const db = testDb();
    const hour = 60 * 60 * 1000;
    const ago = (ms: number) => new Date(Date.now() - ms);
    const ahead = (ms: number) => new Date(Date.now() + ms);
    const family = newId();
    const token = (expiresAt: Date, familyExpiresAt: Date) => ({
      id: newId(),
      userId: alice.user.id,
      familyId: family,
      tokenHash: crypto.randomUUID(),
      expiresAt,
      familyExpiresAt,
    });
    const idleExpired = token(ago(hour), ahead(hour));
    const familyExpired = token(ahead(hour), ago(hour));
    const live = token(ahead(hour), ahead(2 * hour));
    await db.insert(refreshTokens).values([idleExpired, familyExpired, live]);
    const key = (name: string, expiresAt: Date) => ({
      userId: alice.user.id,
      key: `${name}-${crypto.randomUUID()}`,
      requestHash: "h",
      statusCode: 202,
      responseBody: {},
      expiresAt,
    });
    const oldKey = key("old", ago(hour));
    const freshKey = key("fresh", ahead(hour));
    await db.insert(idempotencyKeys).values([oldKey, freshKey]);

    await runSweeper(baseEnv);

    const tokens = await db
      .select({ id: refreshTokens.id })
      .from(refreshTokens)
      .where(inArray(refreshTokens.id, [idleExpired.id, familyExpired.id, live.id]));
    expect(tokens.map((t) => t.id)).toEqual([live.id]);
    const keys = await db.select({ key: idempotencyKeys.key }).from(idempotencyKeys).where(eq(idempotencyKeys.userId, alice.user.id));
    expect(keys.map((k) => k.key)).toContain(freshKey.key);
    expect(keys.map((k) => k.key)).not.toContain(oldKey.key);
  });
});
