/**
 * A message screened as a possible crisis when the person's AI limits or the day's AI budget are
 * spent (docs/SUPPORT.md): accepted with the fixed caring reply at once, without a model call;
 * every other refusal keeps its error, and an ordinary message still gets its 429.
 */
import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { clearFaults, counts, setFault, type GeminiCount } from "../../local/control.ts";
import type { Env, JobMessage } from "../config.ts";
import type { Conversation, MessageAccepted, MessagePage } from "../conversations/schemas.ts";
import { conversations, messages } from "../db/schema.ts";
import type { ErrorBody } from "../errors.ts";
import type { Job } from "../jobs/service.ts";
import { baseEnv, callWith, envWith, jobRow } from "../jobs/testing.ts";
import { modelCallsToday } from "../platform/quota.ts";
import { servicesFor } from "../platform/services.ts";
import { call, scopes, testEnv } from "../testing/http.ts";
import { registerPair, type RegisteredUser } from "../testing/users.ts";
import { careReplyWithoutModel } from "./care.ts";

const FLAGGED = "I want to end my life tonight";
let alice: RegisteredUser;
let bob: RegisteredUser;

beforeAll(async () => {
  [alice, bob] = await registerPair();
});

afterEach(() => clearFaults(testEnv.STANDIN_UPSTASH, scopes.upstash));

/** An env with `overrides`, its own Gemini key (its calls are its own) and a queue that records what it is sent. */
function quotaEnv(overrides: Partial<Env>) {
  const sent: string[] = [];
  const record = (body: JobMessage) => void sent.push(body.jobId);
  const queue = {
    send: async (body: JobMessage) => record(body),
    sendBatch: async (batch: Iterable<{ body: JobMessage }>) => {
      for (const m of batch) record(m.body);
    },
  } as unknown as Queue<JobMessage>;
  const geminiKey = `quota-care-${crypto.randomUUID()}`;
  return { target: envWith({ AI_JOBS: queue, GEMINI_API_KEY: geminiKey, ...overrides }), geminiKey, sent };
}

async function newConversation(user: RegisteredUser): Promise<string> {
  return (await call<Conversation>("POST", "/api/v1/conversations", { token: user.accessToken, body: {} })).body.id;
}

function post<T>(target: Env, conversationId: string, content: string, options: { user?: RegisteredUser; key?: string } = {}) {
  return callWith<T>(target, "POST", `/api/v1/conversations/${conversationId}/messages`, {
    token: (options.user ?? alice).accessToken,
    body: { content },
    headers: options.key ? { "Idempotency-Key": options.key } : {},
  });
}

async function storedMessages(conversationId: string) {
  return servicesFor(baseEnv).db.primary.select().from(messages).where(eq(messages.conversationId, conversationId));
}

describe("a flagged message when today's AI budget is spent", () => {
  it("is accepted (202, needsSupport) with the caring reply already complete and its job succeeded, without a model call", async () => {
    const { target, geminiKey, sent } = quotaEnv({ AI_DAILY_BUDGET: "1" });
    const conversationId = await newConversation(alice);
    const spending = await post<MessageAccepted>(target, conversationId, "Hello coach");
    expect(spending.status).toBe(202);
    expect(sent).toEqual([spending.body.job.id]);
    const spent = await modelCallsToday(servicesFor(target));
    expect(spent).toBe(1);

    const res = await post<MessageAccepted>(target, conversationId, FLAGGED);
    expect(res.status).toBe(202);
    expect(res.body.needsSupport).toBe(true);
    expect(res.body.message).toMatchObject({ role: "user", status: "complete", content: FLAGGED });
    expect(res.body.reply).toMatchObject({ role: "assistant", status: "complete", content: careReplyWithoutModel() });
    expect(res.body.reply.content).toContain("https://findahelpline.com");
    expect(res.body.job).toMatchObject({ kind: "chat_reply", status: "succeeded", attempts: 0, error: null, subjectId: res.body.reply.id });
    expect(res.headers.get("location")).toBe(`/api/v1/jobs/${res.body.job.id}`);

    // Nothing queued, no model call made or counted: the admission's reservation was given back.
    expect(sent).toEqual([spending.body.job.id]);
    expect((await counts<GeminiCount>(testEnv.STANDIN_GEMINI, geminiKey)).generate ?? 0).toBe(0);
    expect(await modelCallsToday(servicesFor(target))).toBe(spent);
    const row = await jobRow(res.body.job.id);
    expect(row).toMatchObject({ status: "succeeded", attempts: 0, model: null, promptTokens: null, error: null });
    expect(row.finishedAt).not.toBeNull();

    // Stored as answered: the job, the messages and the conversation's flag.
    const job = await call<Job>("GET", `/api/v1/jobs/${res.body.job.id}`, { token: alice.accessToken });
    expect(job.body).toEqual(res.body.job);
    const page = await call<MessagePage>("GET", `/api/v1/conversations/${conversationId}/messages`, { token: alice.accessToken });
    expect(page.body.items.slice(-2)).toEqual([res.body.message, res.body.reply]);
    const [conversation] = await servicesFor(baseEnv).db.primary.select().from(conversations).where(eq(conversations.id, conversationId));
    expect(conversation?.supportFlaggedAt).toEqual(new Date(res.body.message.createdAt));

    // An ordinary message in the same state still gets the quota's 429.
    const ordinary = await post<ErrorBody>(target, conversationId, "What should I read next?");
    expect(ordinary.status).toBe(429);
    expect(ordinary.body.error.code).toBe("ai_quota_exhausted");
    expect(Number(ordinary.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await storedMessages(conversationId)).toHaveLength(4);
    expect(await modelCallsToday(servicesFor(target))).toBe(spent);
  });

  it("replays the caring answer for the same Idempotency-Key, and 409s the key on another message", async () => {
    const { target, sent } = quotaEnv({ AI_DAILY_BUDGET: "1" });
    const conversationId = await newConversation(alice);
    expect((await post(target, conversationId, "Hello coach")).status).toBe(202);
    const key = `quota-care-${crypto.randomUUID()}`;
    const first = await post<MessageAccepted>(target, conversationId, FLAGGED, { key });
    const again = await post<MessageAccepted>(target, conversationId, FLAGGED, { key });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(first.body.reply.status).toBe("complete");
    const other = await post<ErrorBody>(target, conversationId, "I want to kill myself", { key });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe("conflict");
    expect(await storedMessages(conversationId)).toHaveLength(4);
    expect(sent).toHaveLength(1);
  });

  it("is bounded per user (support.care.user): past it, the quota's 429 stands and nothing is written", async () => {
    const { target, sent } = quotaEnv({ AI_DAILY_BUDGET: "1", RATE_LIMITS: JSON.stringify({ "support.care.user": { limit: 1 } }) });
    const conversationId = await newConversation(alice);
    expect((await post(target, conversationId, "Hello coach")).status).toBe(202);
    const cared = await post<MessageAccepted>(target, conversationId, FLAGGED);
    expect(cared.status).toBe(202);
    expect(cared.body.job.status).toBe("succeeded");
    const beyond = await post<ErrorBody>(target, conversationId, "I don't want to live anymore");
    expect(beyond.status).toBe(429);
    expect(beyond.body.error.code).toBe("ai_quota_exhausted");
    expect(await storedMessages(conversationId)).toHaveLength(4);
    expect(sent).toHaveLength(1);
  });

  it("keeps 404 for another user's conversation: nothing is written to it", async () => {
    const { target } = quotaEnv({ AI_DAILY_BUDGET: "1" });
    const bobs = await newConversation(bob);
    expect((await post(target, bobs, "Hello coach", { user: bob })).status).toBe(202);
    const res = await post<ErrorBody>(target, bobs, FLAGGED);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
    expect(await storedMessages(bobs)).toHaveLength(2);
    const [conversation] = await servicesFor(baseEnv).db.primary.select().from(conversations).where(eq(conversations.id, bobs));
    expect(conversation?.supportFlaggedAt).toBeNull();
  });
});

describe("a flagged message when the person's AI limit is spent", () => {
  it("is answered with the caring reply while an ordinary message gets 429 rate_limited", async () => {
    const { target, geminiKey, sent } = quotaEnv({ AI_USER_HOURLY_LIMIT: "1" });
    const conversationId = await newConversation(alice);
    expect((await post(target, conversationId, "Hello coach")).status).toBe(202);
    const spent = await modelCallsToday(servicesFor(target));

    const res = await post<MessageAccepted>(target, conversationId, FLAGGED);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ needsSupport: true, reply: { status: "complete", content: careReplyWithoutModel() }, job: { status: "succeeded", attempts: 0 } });
    expect(res.headers.get("ratelimit-remaining")).toBe("0");

    const ordinary = await post<ErrorBody>(target, conversationId, "And another question");
    expect(ordinary.status).toBe(429);
    expect(ordinary.body.error.code).toBe("rate_limited");
    expect(sent).toHaveLength(1);
    expect((await counts<GeminiCount>(testEnv.STANDIN_GEMINI, geminiKey)).generate ?? 0).toBe(0);
    expect(await modelCallsToday(servicesFor(target))).toBe(spent);
  });
});

describe("a flagged message with Upstash down", () => {
  it("still gets 503 and nothing is written", async () => {
    const { target, sent } = quotaEnv({ AI_DAILY_BUDGET: "1" });
    const conversationId = await newConversation(alice);
    await setFault(testEnv.STANDIN_UPSTASH, { scope: scopes.upstash, down: true });
    const res = await post<ErrorBody>(target, conversationId, FLAGGED);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe("unavailable");
    expect(await storedMessages(conversationId)).toHaveLength(0);
    expect(sent).toEqual([]);
  });
});
