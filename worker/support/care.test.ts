/**
 * The care path end to end in workerd: screening at the route, the flag on the conversation, the
 * care instruction in the prompt the Gemini stand-in received, and safety blocks from the model.
 */
import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { clearSafetyBlock, counts, receivedPrompts, setSafetyBlock, type GeminiCount, type SafetyBlock } from "../../local/control.ts";
import type { Env } from "../config.ts";
import type { Conversation, MessageAccepted, MessagePage } from "../conversations/schemas.ts";
import { conversations } from "../db/schema.ts";
import type { Job } from "../jobs/service.ts";
import { baseEnv, callWith, deliver, envWith, lostQueue } from "../jobs/testing.ts";
import { servicesFor } from "../platform/services.ts";
import { call, testEnv } from "../testing/http.ts";
import { registerUser, type RegisteredUser } from "../testing/users.ts";
import { safetyBlockedReply } from "./care.ts";

const CARE = "IMPORTANT — respond with care.";
let alice: RegisteredUser;

beforeAll(async () => {
  alice = await registerUser();
});

/** An env whose jobs wait for `deliver`, with its own Gemini key: its prompts and blocks are its own. */
function isolatedEnv(): { target: Env; geminiKey: string } {
  const geminiKey = `care-${crypto.randomUUID()}`;
  return { target: envWith({ AI_JOBS: lostQueue, GEMINI_API_KEY: geminiKey }), geminiKey };
}

async function postMessage(target: Env, content: string) {
  const conversation = await call<Conversation>("POST", "/api/v1/conversations", { token: alice.accessToken, body: {} });
  const res = await callWith<MessageAccepted>(target, "POST", `/api/v1/conversations/${conversation.body.id}/messages`, {
    token: alice.accessToken,
    body: { content },
  });
  return { conversationId: conversation.body.id, res };
}

async function flaggedAt(conversationId: string): Promise<Date | null> {
  const [row] = await servicesFor(baseEnv).db.primary.select().from(conversations).where(eq(conversations.id, conversationId));
  return row?.supportFlaggedAt ?? null;
}

async function replyOf(conversationId: string, replyId: string) {
  const page = await call<MessagePage>("GET", `/api/v1/conversations/${conversationId}/messages`, { token: alice.accessToken });
  return page.body.items.find((m) => m.id === replyId);
}

describe("a message screened as a possible crisis", () => {
  it("is accepted (202) with needsSupport: true, flags the conversation, and its job's prompt carries the care instruction", async () => {
    const { target, geminiKey } = isolatedEnv();
    const { conversationId, res } = await postMessage(target, "Honestly, I don't want to be alive anymore.");
    expect(res.status).toBe(202);
    expect(res.body.needsSupport).toBe(true);
    expect(res.body.message).toMatchObject({ role: "user", status: "complete", content: "Honestly, I don't want to be alive anymore." });
    expect(res.body.job.status).toBe("queued");
    expect(await flaggedAt(conversationId)).toEqual(new Date(res.body.message.createdAt));
    // Through the same env as the POST: its key prefix is the one whose cached conversation the POST revised.
    const conversation = await callWith<Conversation>(target, "GET", `/api/v1/conversations/${conversationId}`, { token: alice.accessToken });
    expect(conversation.body.supportFlaggedAt).toBe(res.body.message.createdAt);

    const delivered = await deliver([res.body.job.id], { target });
    expect(delivered.explicitAcks).toHaveLength(1);
    const [prompt] = await receivedPrompts(testEnv.STANDIN_GEMINI, geminiKey);
    expect(prompt?.system).toContain(CARE);
    expect(prompt?.system).toContain("Samaritans");
    expect(prompt?.system).toContain("https://findahelpline.com");
    expect(prompt?.turns.at(-1)?.text).toBe("Honestly, I don't want to be alive anymore.");
    expect((await replyOf(conversationId, res.body.reply.id))?.status).toBe("complete");
  });

  it("carries the care instruction for that turn only: the next, ordinary turn has none", async () => {
    const { target, geminiKey } = isolatedEnv();
    const { conversationId, res } = await postMessage(target, "I keep thinking about ending my life");
    await deliver([res.body.job.id], { target });
    const next = await callWith<MessageAccepted>(target, "POST", `/api/v1/conversations/${conversationId}/messages`, {
      token: alice.accessToken,
      body: { content: "Thank you. What could I do tonight?" },
    });
    expect(next.body.needsSupport).toBe(false);
    await deliver([next.body.job.id], { target });
    const prompts = await receivedPrompts(testEnv.STANDIN_GEMINI, geminiKey);
    expect(prompts.map((p) => p.system.includes(CARE))).toEqual([true, false]);
    // The flag keeps the time of the flagged message.
    expect(await flaggedAt(conversationId)).toEqual(new Date(res.body.message.createdAt));
  });

  it("replays needsSupport with the same Idempotency-Key", async () => {
    const { target } = isolatedEnv();
    const conversation = await call<Conversation>("POST", "/api/v1/conversations", { token: alice.accessToken, body: {} });
    const key = `care-${crypto.randomUUID()}`;
    const send = () =>
      callWith<MessageAccepted>(target, "POST", `/api/v1/conversations/${conversation.body.id}/messages`, {
        token: alice.accessToken,
        body: { content: "I want to kill myself" },
        headers: { "Idempotency-Key": key },
      });
    const first = await send();
    const again = await send();
    expect(first.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.body.needsSupport).toBe(true);
  });
});

describe("an ordinary message", () => {
  it("answers needsSupport: false, leaves the conversation unflagged, and its prompt has no care instruction", async () => {
    const { target, geminiKey } = isolatedEnv();
    const { conversationId, res } = await postMessage(target, "This deadline is killing me, how do I plan my week?");
    expect(res.status).toBe(202);
    expect(res.body.needsSupport).toBe(false);
    expect(await flaggedAt(conversationId)).toBeNull();
    await deliver([res.body.job.id], { target });
    const [prompt] = await receivedPrompts(testEnv.STANDIN_GEMINI, geminiKey);
    expect(prompt?.system).not.toContain(CARE);
    expect(prompt?.system).not.toContain("findahelpline");
  });
});

describe("a reply the model blocks for safety", () => {
  let blocked: { target: Env; geminiKey: string } | undefined;
  afterEach(async () => {
    if (blocked) await clearSafetyBlock(testEnv.STANDIN_GEMINI, blocked.geminiKey);
  });

  it.each<SafetyBlock>(["prompt", "candidate"])(
    "(%s blocked) ends the job succeeded with the fixed caring reply after exactly one model call",
    async (block) => {
      blocked = isolatedEnv();
      const { target, geminiKey } = blocked;
      await setSafetyBlock(testEnv.STANDIN_GEMINI, block, geminiKey);
      const { conversationId, res } = await postMessage(target, "Tell me about my week.");
      const delivered = await deliver([res.body.job.id], { target });
      expect(delivered.explicitAcks).toHaveLength(1);
      expect(delivered.retryMessages).toEqual([]);

      const job = await call<Job>("GET", `/api/v1/jobs/${res.body.job.id}`, { token: alice.accessToken });
      expect(job.body).toMatchObject({ status: "succeeded", attempts: 1, error: null });
      const reply = await replyOf(conversationId, res.body.reply.id);
      expect(reply).toMatchObject({ status: "complete", content: safetyBlockedReply("chat_reply") });
      expect(reply?.content).toContain("https://findahelpline.com");
      expect((await counts<GeminiCount>(testEnv.STANDIN_GEMINI, geminiKey)).generate).toBe(1);

      // A second delivery of the same message finds the job finished: still one call.
      await deliver([res.body.job.id], { target });
      expect((await counts<GeminiCount>(testEnv.STANDIN_GEMINI, geminiKey)).generate).toBe(1);
    },
  );
});
