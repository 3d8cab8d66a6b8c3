import { and, eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { clearFaults, setFault } from "../../local/control.ts";
import type { Conversation, MessageAccepted } from "../conversations/schemas.ts";
import { messages } from "../db/schema.ts";
import { secondsUntilReset } from "../platform/quota.ts";
import { servicesFor } from "../platform/services.ts";
import { call, scopes, testEnv, uniqueIp } from "../testing/http.ts";
import { registerPair, type RegisteredUser } from "../testing/users.ts";
import { baseEnv, callWith, envWith } from "./testing.ts";
import type { ErrorBody } from "../errors.ts";

let alice: RegisteredUser;
let bob: RegisteredUser;

beforeAll(async () => {
  [alice, bob] = await registerPair();
});

afterEach(() => clearFaults(testEnv.STANDIN_UPSTASH, scopes.upstash));

async function newConversation(user: RegisteredUser): Promise<string> {
  const res = await call<Conversation>("POST", "/api/v1/conversations", { token: user.accessToken, body: {} });
  return res.body.id;
}

describe("AI quotas on new work", () => {
  it("gives the 4th new request 429 ai_quota_exhausted when the daily budget is 3", async () => {
    const small = envWith({ AI_DAILY_BUDGET: "3" });
    const conversationId = await newConversation(alice);
    const statuses: number[] = [];
    let refused: Awaited<ReturnType<typeof callWith<ErrorBody>>> | undefined;
    for (let i = 0; i < 4; i++) {
      const user = i % 2 === 0 ? alice : bob;
      const target = user === alice ? conversationId : await newConversation(bob);
      const res = await callWith<ErrorBody>(small, "POST", `/api/v1/conversations/${target}/messages`, {
        token: user.accessToken,
        body: { content: `message ${i}` },
      });
      statuses.push(res.status);
      refused = res;
    }
    expect(statuses).toEqual([202, 202, 202, 429]);
    expect(refused?.body.error.code).toBe("ai_quota_exhausted");
    const retryAfter = Number(refused?.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(Math.abs(retryAfter - secondsUntilReset(Date.now()))).toBeLessThanOrEqual(5);
  });

  it("does not count refused or replayed requests against the budget", async () => {
    const small = envWith({ AI_DAILY_BUDGET: "1" });
    const conversationId = await newConversation(alice);
    const path = `/api/v1/conversations/${conversationId}/messages`;
    const missing = await callWith(small, "POST", "/api/v1/conversations/01900000-0000-7000-8000-00000000dead/messages", {
      token: alice.accessToken,
      body: { content: "nobody home" },
    });
    expect(missing.status).toBe(404);
    const key = { "Idempotency-Key": crypto.randomUUID() };
    const first = await callWith<MessageAccepted>(small, "POST", path, { token: alice.accessToken, body: { content: "hi" }, headers: key });
    expect(first.status).toBe(202);
    const replay = await callWith<MessageAccepted>(small, "POST", path, { token: alice.accessToken, body: { content: "hi" }, headers: key });
    expect(replay.status).toBe(202);
    expect(replay.body).toEqual(first.body);
    const next = await callWith<ErrorBody>(small, "POST", path, { token: alice.accessToken, body: { content: "again" } });
    expect(next.status).toBe(429);
    expect(next.body.error.code).toBe("ai_quota_exhausted");
  });

  it("limits new AI work per user per hour with 429 rate_limited", async () => {
    const strict = envWith({ AI_USER_HOURLY_LIMIT: "2" });
    const conversationId = await newConversation(alice);
    const path = `/api/v1/conversations/${conversationId}/messages`;
    const results = [];
    for (let i = 0; i < 3; i++) {
      results.push(await callWith<ErrorBody>(strict, "POST", path, { token: alice.accessToken, body: { content: `m${i}` } }));
    }
    expect(results.map((r) => r.status)).toEqual([202, 202, 429]);
    expect(results[0]?.headers.get("ratelimit-limit")).toBe("2");
    expect(results[2]?.body.error.code).toBe("rate_limited");
    expect(Number(results[2]?.headers.get("retry-after"))).toBeGreaterThan(0);

    const otherUser = await callWith(strict, "POST", `/api/v1/conversations/${await newConversation(bob)}/messages`, {
      token: bob.accessToken,
      body: { content: "mine" },
    });
    expect(otherUser.status).toBe(202);
  });

  it("caps new AI work per user per day: no single account takes more than its share of the budget", async () => {
    const capped = envWith({ AI_USER_DAILY_LIMIT: "2" });
    const conversationId = await newConversation(alice);
    const path = `/api/v1/conversations/${conversationId}/messages`;
    const results = [];
    for (let i = 0; i < 3; i++) {
      results.push(await callWith<ErrorBody>(capped, "POST", path, { token: alice.accessToken, ip: uniqueIp(), body: { content: `m${i}` } }));
    }

    expect(results.map((r) => r.status)).toEqual([202, 202, 429]);
    expect(results[2]?.body.error.code).toBe("rate_limited");
    expect(results[2]?.headers.get("ratelimit-limit")).toBe("2");
    const retryAfter = Number(results[2]?.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(60 * 60);
    expect(retryAfter).toBeLessThanOrEqual(24 * 60 * 60);
  });

  it("caps new AI work per address per day, whichever accounts ask from it (an IPv6 /64 is one address)", async () => {
    const capped = envWith({ AI_IP_DAILY_LIMIT: "2" });
    const [carol, dave] = await registerPair();
    const post = async (user: RegisteredUser, ip: string) =>
      callWith<ErrorBody>(capped, "POST", `/api/v1/conversations/${await newConversation(user)}/messages`, { token: user.accessToken, ip, body: { content: "hello" } });

    const first = await post(carol, "2001:db8:77:1::1");
    const second = await post(dave, "2001:db8:77:1:ffff::2");
    const third = await post(carol, "2001:db8:77:1::abcd");
    const elsewhere = await post(dave, "2001:db8:77:2::1");

    expect([first.status, second.status, third.status, elsewhere.status]).toEqual([202, 202, 429, 202]);
    expect(third.body.error.code).toBe("rate_limited");
    expect(Number(third.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("fails closed: with Upstash down, new AI work gets 503 and nothing is written", async () => {
    const conversationId = await newConversation(alice);
    await setFault(testEnv.STANDIN_UPSTASH, { scope: scopes.upstash, down: true });
    const res = await callWith<ErrorBody>(baseEnv, "POST", `/api/v1/conversations/${conversationId}/messages`, {
      token: alice.accessToken,
      body: { content: "anyone?" },
    });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe("unavailable");
    expect(res.headers.get("retry-after")).toBeTruthy();
    const rows = await servicesFor(baseEnv).db.primary.select().from(messages).where(and(eq(messages.conversationId, conversationId)));
    expect(rows).toHaveLength(0);
  });
});
