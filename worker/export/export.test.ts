import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import type { Assessment } from "../assessments/schemas.ts";
import type { Env } from "../config.ts";
import type { Conversation, MessageAccepted, MessagePage } from "../conversations/schemas.ts";
import { assessments, conversations, jobs, messages } from "../db/schema.ts";
import type { ErrorBody } from "../errors.ts";
import type { Job } from "../jobs/service.ts";
import { waitForJob } from "../jobs/testing.ts";
import { newId } from "../platform/ids.ts";
import { servicesFor } from "../platform/services.ts";
import { measured } from "../../local/testing/round-trips.ts";
import { clearFaults, setFault } from "../../local/control.ts";
import { call, scopes, testEnv } from "../testing/http.ts";
import { registerPair, registerUser, testDb, type RegisteredUser } from "../testing/users.ts";
import type { ExportSchema } from "./routes.ts";
import { exportStream } from "./service.ts";
import type { z } from "@hono/zod-openapi";

type AccountExport = z.infer<typeof ExportSchema>;

const exportOf = (user: RegisteredUser) => call<AccountExport & ErrorBody>("GET", "/api/v1/me/export", { token: user.accessToken });

/** Everything `user` owns, arranged through the API: a completed WHO-5, a draft, and a linked chat with a reply. */
async function arrange(user: RegisteredUser): Promise<void> {
  const token = user.accessToken;
  const completed = await call<Assessment>("POST", "/api/v1/assessments", { token, body: { templateSlug: "who-5" } });
  await call("PUT", `/api/v1/assessments/${completed.body.id}/answers`, { token, body: { answers: { q1: 3, q2: 4, q3: 2, q4: 3, q5: 4 } } });
  const submitted = await call<{ job: Job }>("POST", `/api/v1/assessments/${completed.body.id}/submit`, { token });
  await waitForJob(token, submitted.body.job.id);
  await call("POST", "/api/v1/assessments", { token, body: { templateSlug: "mini-ipip" } });
  const chat = await call<Conversation>("POST", "/api/v1/conversations", { token, body: { assessmentId: completed.body.id } });
  const posted = await call<MessageAccepted>("POST", `/api/v1/conversations/${chat.body.id}/messages`, { token, body: { content: "What stands out?" } });
  await waitForJob(token, posted.body.job.id);
  await call("POST", "/api/v1/conversations", { token, body: { title: "Empty one" } });
}

const ids = (rows: { id: string }[]) => rows.map((r) => r.id).sort();

describe("GET /api/v1/me/export", () => {
  let alice: RegisteredUser;
  let bob: RegisteredUser;

  beforeAll(async () => {
    [alice, bob] = await registerPair();
    await arrange(alice);
    await arrange(bob);
  });

  it("answers a JSON attachment, never cached", async () => {
    const res = await exportOf(alice);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="assay-export-\d{4}-\d{2}-\d{2}\.json"$/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("etag")).toBeNull();
    expect(Number(res.headers.get("ratelimit-limit"))).toBeGreaterThan(0);
  });

  it("holds every row the account owns, as the API shows them, checked against the database", async () => {
    const { body } = await exportOf(alice);
    const db = testDb();
    const userId = alice.user.id;
    const [ownAssessments, ownConversations, ownMessages, ownJobs] = await Promise.all([
      db.select().from(assessments).where(eq(assessments.userId, userId)),
      db.select().from(conversations).where(eq(conversations.userId, userId)),
      db.select().from(messages).where(eq(messages.userId, userId)),
      db.select().from(jobs).where(eq(jobs.userId, userId)),
    ]);
    expect(ownAssessments).toHaveLength(2);
    expect(ownMessages).toHaveLength(2);
    expect(ownJobs).toHaveLength(2);

    expect(body.format).toBe(1);
    expect(Date.parse(body.exportedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(body.user).toEqual(alice.user);
    expect(ids(body.assessments)).toEqual(ids(ownAssessments));
    expect(ids(body.conversations)).toEqual(ids(ownConversations));
    expect(ids(body.conversations.flatMap((c) => c.messages))).toEqual(ids(ownMessages));
    expect(ids(body.jobs)).toEqual(ids(ownJobs));

    for (const assessment of body.assessments) {
      const api = await call<Assessment>("GET", `/api/v1/assessments/${assessment.id}`, { token: alice.accessToken });
      expect(assessment).toEqual(api.body);
    }
    const analysed = body.assessments.find((a) => a.status === "complete");
    expect(analysed?.analysis).toBeTruthy();
    expect(analysed?.answers).toEqual({ q1: 3, q2: 4, q3: 2, q4: 3, q5: 4 });
    for (const { messages: exported, ...conversation } of body.conversations) {
      expect(conversation).toEqual((await call<Conversation>("GET", `/api/v1/conversations/${conversation.id}`, { token: alice.accessToken })).body);
      const page = await call<MessagePage>("GET", `/api/v1/conversations/${conversation.id}/messages`, { token: alice.accessToken });
      expect(exported).toEqual(page.body.items);
    }
    for (const job of body.jobs) {
      expect(job).toEqual((await call<Job>("GET", `/api/v1/jobs/${job.id}`, { token: alice.accessToken })).body);
      expect(job.status).toBe("succeeded");
    }
  });

  it("costs one Neon round trip for the user and one per page of each table; one Upstash round trip (the limit)", async () => {
    const { res, served } = await measured(() => exportOf(alice));
    expect(res.status).toBe(200);
    // user, then one page each of assessments, messages (read ahead with the first conversation page), conversations, jobs
    expect(served).toEqual({ neon: 5, upstash: 1 });
  });

  it("holds nothing of another account's", async () => {
    const res = await exportOf(alice);
    const db = testDb();
    const bobs = await Promise.all([
      db.select({ id: assessments.id }).from(assessments).where(eq(assessments.userId, bob.user.id)),
      db.select({ id: conversations.id }).from(conversations).where(eq(conversations.userId, bob.user.id)),
      db.select({ id: messages.id }).from(messages).where(eq(messages.userId, bob.user.id)),
      db.select({ id: jobs.id }).from(jobs).where(eq(jobs.userId, bob.user.id)),
    ]);
    const foreign = bobs.flat().map((r) => r.id);
    expect(foreign.length).toBeGreaterThan(5);
    for (const id of [...foreign, bob.user.id, bob.email]) expect(res.text).not.toContain(id);
  });

  it("reads in keyset pages and gives the same document whatever the page size", async () => {
    const carol = await registerUser();
    const db = testDb();
    const [who5] = await db.select({ id: assessments.templateVersionId }).from(assessments).where(eq(assessments.userId, alice.user.id)).limit(1);
    const conversationIds = [0, 1, 2].map((i) => newId(Date.now() + i));
    await db.batch([
      db.insert(assessments).values(
        Array.from({ length: 5 }, () => ({ id: newId(), userId: carol.user.id, templateVersionId: who5?.id ?? "", templateSlug: "who-5", templateVersion: 1 })),
      ),
      db.insert(conversations).values(conversationIds.map((id, i) => ({ id, userId: carol.user.id, title: `Chat ${i}` }))),
      db.insert(messages).values(
        conversationIds.flatMap((conversationId, i) =>
          Array.from({ length: i + 2 }, (_, n) => ({
            id: newId(),
            conversationId,
            userId: carol.user.id,
            role: n % 2 === 0 ? ("user" as const) : ("assistant" as const),
            content: `message ${n} of chat ${i}`,
            status: "complete" as const,
            createdAt: new Date(Date.now() + n),
          })),
        ),
      ),
    ]);
    const services = servicesFor(env as unknown as Env);
    const read = async (size: number) => {
      const text = await new Response(exportStream(services.db.primary, carol.user, services.logger, size)).text();
      const { exportedAt: _at, ...document } = JSON.parse(text) as AccountExport;
      return document;
    };
    const whole = await read(200);
    expect(whole.assessments).toHaveLength(5);
    expect(whole.conversations.map((c) => c.messages.length)).toEqual([2, 3, 4]);
    expect(whole.conversations[2]?.messages.map((m) => m.content)).toEqual([0, 1, 2, 3].map((n) => `message ${n} of chat 2`));
    expect(await read(2)).toEqual(whole);
    expect(await read(1)).toEqual(whole);
  });

  it("answers 429 with Retry-After after a few exports in an hour, for that account only", async () => {
    const dave = await registerUser();
    for (let i = 0; i < 3; i++) expect((await exportOf(dave)).status).toBe(200);
    const refused = await exportOf(dave);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe("rate_limited");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(refused.headers.get("ratelimit-remaining")).toBe("0");
    expect((await exportOf(await registerUser())).status).toBe(200);
  });

  it("answers 503 with Retry-After when its limit cannot be checked (Upstash down): no export without the limit", async () => {
    const erin = await registerUser();
    await setFault(testEnv.STANDIN_UPSTASH, { scope: scopes.upstash, down: true });
    try {
      const res = await exportOf(erin);
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe("unavailable");
      expect(res.headers.get("retry-after")).toBeTruthy();
    } finally {
      await clearFaults(testEnv.STANDIN_UPSTASH, scopes.upstash);
    }
  });

  it("answers 401 without a token, and for an account that was deleted", async () => {
    expect((await call<ErrorBody>("GET", "/api/v1/me/export")).status).toBe(401);
    const gone = await registerUser();
    expect((await call("DELETE", "/api/v1/me", { token: gone.accessToken, body: { password: gone.password } })).status).toBe(204);
    const res = await exportOf(gone);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("unauthorized");
  });
});
