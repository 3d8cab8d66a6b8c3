import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { clearFaults, counts, resetCounts, setFault } from "../../local/control.ts";
import type { Env } from "../config.ts";
import type { Conversation, MessageAccepted, MessagePage } from "../conversations/schemas.ts";
import { call, scopes, testEnv } from "../testing/http.ts";
import { registerUser, type RegisteredUser } from "../testing/users.ts";
import { ABANDONED_MESSAGE } from "./consumer.ts";
import type { Job } from "./service.ts";
import { callWith, deliver, envWith, jobRow, lostQueue } from "./testing.ts";

let alice: RegisteredUser;
/** Requests through this env write their jobs, but the queue never delivers them: the tests do. */
let undelivered: Env;

beforeAll(async () => {
  undelivered = envWith({ AI_JOBS: lostQueue });
  alice = await registerUser();
});

afterEach(async () => {
  await clearFaults(testEnv.STANDIN_GEMINI, scopes.gemini);
});

/** A posted message whose job is queued and left to the test to deliver. */
async function queuedChat(): Promise<{ conversationId: string; accepted: MessageAccepted }> {
  const conversation = await call<Conversation>("POST", "/api/v1/conversations", { token: alice.accessToken, body: {} });
  const res = await callWith<MessageAccepted>(undelivered, "POST", `/api/v1/conversations/${conversation.body.id}/messages`, {
    token: alice.accessToken,
    body: { content: "What is one small habit worth trying?" },
  });
  expect(res.status).toBe(202);
  return { conversationId: conversation.body.id, accepted: res.body };
}

async function messagesOf(conversationId: string) {
  const res = await call<MessagePage>("GET", `/api/v1/conversations/${conversationId}/messages`, { token: alice.accessToken });
  return res.body.items;
}

async function jobOf(jobId: string): Promise<Job> {
  return (await call<Job>("GET", `/api/v1/jobs/${jobId}`, { token: alice.accessToken })).body;
}

const failModel = () => setFault(testEnv.STANDIN_GEMINI, { scope: scopes.gemini, status: 503 });

describe("queue consumer", () => {
  it("writes one reply when the same message is delivered twice", async () => {
    const { conversationId, accepted } = await queuedChat();
    await resetCounts(testEnv.STANDIN_GEMINI, scopes.gemini);

    const together = await deliver([accepted.job.id, accepted.job.id]);
    expect(together.explicitAcks).toHaveLength(2);
    expect(together.retryMessages).toEqual([]);
    const again = await deliver([accepted.job.id]);
    expect(again.explicitAcks).toHaveLength(1);

    const job = await jobOf(accepted.job.id);
    expect(job).toMatchObject({ status: "succeeded", attempts: 1 });
    expect((await counts(testEnv.STANDIN_GEMINI, scopes.gemini)).generate).toBe(1);
    const reply = (await messagesOf(conversationId)).find((m) => m.id === accepted.reply.id);
    expect(reply?.status).toBe("complete");
    expect(reply?.content).not.toBe("");
  });

  it("records the model and its token usage on the job", async () => {
    const { accepted } = await queuedChat();
    await deliver([accepted.job.id]);
    const row = await jobRow(accepted.job.id);
    expect(row.model).toBe("gemini-2.5-flash");
    expect(row.promptTokens).toBeGreaterThan(0);
    expect(row.outputTokens).toBeGreaterThan(0);
    expect(row.leaseExpiresAt).toBeNull();
    expect(row.finishedAt).toBeInstanceOf(Date);
  });

  it("retries with growing delays while the model fails, then succeeds on the third attempt", async () => {
    const { conversationId, accepted } = await queuedChat();
    await failModel();
    const first = await deliver([accepted.job.id]);
    expect(first.explicitAcks).toEqual([]);
    expect(first.retryMessages).toHaveLength(1);
    expect(first.delays[0]).toBeGreaterThanOrEqual(1);
    expect(first.delays[0]).toBeLessThanOrEqual(2);
    expect(await jobOf(accepted.job.id)).toMatchObject({ status: "queued", attempts: 1, error: null });

    const second = await deliver([accepted.job.id], { attempts: 2 });
    expect(second.delays[0]).toBeGreaterThanOrEqual(2);
    expect(second.delays[0]).toBeLessThanOrEqual(4);
    expect(await jobOf(accepted.job.id)).toMatchObject({ status: "queued", attempts: 2 });

    await clearFaults(testEnv.STANDIN_GEMINI, scopes.gemini);
    const third = await deliver([accepted.job.id], { attempts: 3 });
    expect(third.explicitAcks).toHaveLength(1);
    expect(await jobOf(accepted.job.id)).toMatchObject({ status: "succeeded", attempts: 3, error: null });
    expect((await messagesOf(conversationId)).at(-1)?.status).toBe("complete");
  });

  it("alternates to the fallback model on retries", async () => {
    const { accepted } = await queuedChat();
    await failModel();
    await deliver([accepted.job.id]);
    await clearFaults(testEnv.STANDIN_GEMINI, scopes.gemini);
    await deliver([accepted.job.id], { attempts: 2 });
    expect((await jobRow(accepted.job.id)).model).toBe("gemini-2.5-flash-lite");
  });

  it("fails the job and the pending reply with a readable error when the model keeps failing", async () => {
    const { conversationId, accepted } = await queuedChat();
    await failModel();
    for (let attempt = 1; attempt <= 4; attempt++) {
      const result = await deliver([accepted.job.id], { attempts: attempt });
      expect(result.retryMessages, `attempt ${attempt}`).toHaveLength(1);
    }
    const last = await deliver([accepted.job.id], { attempts: 5 });
    expect(last.explicitAcks).toHaveLength(1);

    const job = await jobOf(accepted.job.id);
    expect(job).toMatchObject({ status: "failed", attempts: 5 });
    expect(job.error).toBe("The AI service is unavailable right now. Please try again later.");
    const reply = (await messagesOf(conversationId)).find((m) => m.id === accepted.reply.id);
    expect(reply?.status).toBe("failed");
    expect((await jobRow(accepted.job.id)).leaseExpiresAt).toBeNull();
  });

  it("fails at once, without retrying, when the model rejects the request", async () => {
    const { conversationId, accepted } = await queuedChat();
    await setFault(testEnv.STANDIN_GEMINI, { scope: scopes.gemini, status: 400 });
    const result = await deliver([accepted.job.id]);
    expect(result.explicitAcks).toHaveLength(1);
    expect(result.retryMessages).toEqual([]);
    const job = await jobOf(accepted.job.id);
    expect(job).toMatchObject({ status: "failed", attempts: 1, error: "The AI service could not process this request." });
    expect((await messagesOf(conversationId)).at(-1)?.status).toBe("failed");
  });

  it("fails a job whose conversation was deleted without calling the model", async () => {
    const { conversationId, accepted } = await queuedChat();
    expect((await call("DELETE", `/api/v1/conversations/${conversationId}`, { token: alice.accessToken })).status).toBe(204);
    await resetCounts(testEnv.STANDIN_GEMINI, scopes.gemini);
    await deliver([accepted.job.id]);
    expect((await jobOf(accepted.job.id)).status).toBe("failed");
    expect((await counts(testEnv.STANDIN_GEMINI, scopes.gemini)).generate ?? 0).toBe(0);
  });

  it("acks a message without a job id", async () => {
    const result = await deliver(["not-a-uuid"]);
    expect(result.explicitAcks).toHaveLength(1);
  });

  it("waits for the daily reset when the budget is spent before a retry", async () => {
    const tight = envWith({ AI_JOBS: lostQueue, AI_DAILY_BUDGET: "1" });
    const conversation = await call<Conversation>("POST", "/api/v1/conversations", { token: alice.accessToken, body: {} });
    const res = await callWith<MessageAccepted>(tight, "POST", `/api/v1/conversations/${conversation.body.id}/messages`, {
      token: alice.accessToken,
      body: { content: "hello" },
    });
    expect(res.status).toBe(202);
    await failModel();
    await deliver([res.body.job.id], { target: tight }); // the reserved call, failed
    await clearFaults(testEnv.STANDIN_GEMINI, scopes.gemini);
    await resetCounts(testEnv.STANDIN_GEMINI, scopes.gemini);

    const waiting = await deliver([res.body.job.id], { target: tight, attempts: 2 });
    expect(waiting.retryMessages).toHaveLength(1);
    expect(waiting.delays[0]).toBeGreaterThan(0);
    expect((await counts(testEnv.STANDIN_GEMINI, scopes.gemini)).generate ?? 0).toBe(0);
    const row = await jobRow(res.body.job.id);
    expect(row).toMatchObject({ status: "queued", attempts: 1 });
    expect(row.leaseExpiresAt?.getTime()).toBeGreaterThan(Date.now());

    // A duplicate delivery before the reset does nothing.
    const duplicate = await deliver([res.body.job.id], { target: tight });
    expect(duplicate.explicitAcks).toHaveLength(1);
    expect((await jobRow(res.body.job.id)).attempts).toBe(1);
  });
});

describe("dead-letter consumer", () => {
  it("fails the job and its pending reply with a readable error", async () => {
    const { conversationId, accepted } = await queuedChat();
    const result = await deliver([accepted.job.id], { queue: "ai-jobs-dlq" });
    expect(result.explicitAcks).toHaveLength(1);
    const job = await jobOf(accepted.job.id);
    expect(job).toMatchObject({ status: "failed", error: ABANDONED_MESSAGE });
    expect((await messagesOf(conversationId)).at(-1)).toMatchObject({ role: "assistant", status: "failed" });
  });

  it("leaves a finished job alone", async () => {
    const { accepted } = await queuedChat();
    await deliver([accepted.job.id]);
    await deliver([accepted.job.id], { queue: "ai-jobs-dlq" });
    expect((await jobOf(accepted.job.id)).status).toBe("succeeded");
  });
});
