import { beforeAll, describe, expect, it } from "vitest";
import { callWith, envWith } from "../jobs/testing.ts";
import { call } from "../testing/http.ts";
import { registerPair, registerUser, type RegisteredUser } from "../testing/users.ts";
import type { Conversation, ConversationPage } from "./schemas.ts";
import type { ErrorBody } from "../errors.ts";

let alice: RegisteredUser;
let bob: RegisteredUser;

beforeAll(async () => {
  [alice, bob] = await registerPair();
});

async function newConversation(user: RegisteredUser, body: object = {}): Promise<Conversation> {
  const res = await call<Conversation>("POST", "/api/v1/conversations", { token: user.accessToken, body });
  expect(res.status).toBe(201);
  return res.body;
}

async function newAssessment(user: RegisteredUser): Promise<string> {
  const res = await call<{ id: string }>("POST", "/api/v1/assessments", { token: user.accessToken, body: { templateSlug: "who-5" } });
  expect(res.status).toBe(201);
  return res.body.id;
}

describe("POST /api/v1/conversations", () => {
  it("creates a conversation with a default title", async () => {
    const res = await call<Conversation>("POST", "/api/v1/conversations", { token: alice.accessToken, body: {} });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      title: "New conversation",
      assessmentId: null,
      createdAt: expect.any(String),
      lastMessageAt: null,
      supportFlaggedAt: null,
    });
    expect(res.headers.get("location")).toBe(`/api/v1/conversations/${res.body.id}`);
  });

  it("creates a conversation without a body", async () => {
    const res = await call<Conversation>("POST", "/api/v1/conversations", { token: alice.accessToken });
    expect(res.status).toBe(201);
    expect(res.body.title).toBe("New conversation");
  });

  it("links the caller's own assessment", async () => {
    const assessmentId = await newAssessment(alice);
    const conversation = await newConversation(alice, { title: "My results", assessmentId });
    expect(conversation).toMatchObject({ title: "My results", assessmentId });
  });

  it("returns 404 for another user's assessment", async () => {
    const assessmentId = await newAssessment(bob);
    const res = await call<ErrorBody>("POST", "/api/v1/conversations", { token: alice.accessToken, body: { assessmentId } });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
  });

  it("returns 400 for a malformed assessmentId or an empty title", async () => {
    const res = await call<ErrorBody>("POST", "/api/v1/conversations", {
      token: alice.accessToken,
      body: { assessmentId: "nope", title: "" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    expect(res.body.error.details?.map((d) => d.path).sort()).toEqual(["assessmentId", "title"]);
  });

  it("answers the POST over the user's limit with 429 and Retry-After, leaving other users alone", async () => {
    const strict = envWith({ RATE_LIMITS: JSON.stringify({ "conversations.create.user": { limit: 2 } }) });
    const [alice, bob] = await registerPair();
    const statuses: number[] = [];
    let refused: Awaited<ReturnType<typeof callWith<ErrorBody>>> | undefined;
    for (let i = 0; i < 3; i++) {
      refused = await callWith<ErrorBody>(strict, "POST", "/api/v1/conversations", { token: alice.accessToken, body: {} });
      statuses.push(refused.status);
    }
    const other = await callWith(strict, "POST", "/api/v1/conversations", { token: bob.accessToken, body: {} });

    expect(statuses).toEqual([201, 201, 429]);
    expect(refused?.body.error.code).toBe("rate_limited");
    expect(Number(refused?.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(other.status).toBe(201);
  });

  it("returns 401 without a token", async () => {
    const res = await call<ErrorBody>("POST", "/api/v1/conversations", { body: {} });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("unauthorized");
  });
});

describe("GET /api/v1/conversations", () => {
  it("lists the caller's conversations newest first, page by page", async () => {
    const carol = await registerUser();
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await newConversation(carol, { title: `c${i}` }));
    await newConversation(bob, { title: "not carol's" });

    const first = await call<ConversationPage>("GET", "/api/v1/conversations?limit=2", { token: carol.accessToken });
    expect(first.status).toBe(200);
    expect(first.body.items.map((c) => c.title)).toEqual(["c2", "c1"]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect(first.headers.get("cache-control")).toBe("private, no-cache");

    const second = await call<ConversationPage>("GET", `/api/v1/conversations?limit=2&cursor=${first.body.nextCursor}`, {
      token: carol.accessToken,
    });
    expect(second.body.items.map((c) => c.title)).toEqual(["c0"]);
    expect(second.body.nextCursor).toBeNull();
  });

  it("answers 304 to a matching If-None-Match", async () => {
    const first = await call("GET", "/api/v1/conversations", { token: alice.accessToken });
    const etag = first.headers.get("etag") ?? "";
    expect(etag).not.toBe("");
    const again = await call("GET", "/api/v1/conversations", { token: alice.accessToken, headers: { "If-None-Match": etag } });
    expect(again.status).toBe(304);
    expect(again.text).toBe("");
  });

  it("returns 400 for a cursor it did not issue and for a limit out of range", async () => {
    const bad = await call<ErrorBody>("GET", "/api/v1/conversations?cursor=garbage", { token: alice.accessToken });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details?.[0]?.path).toBe("cursor");
    const limit = await call<ErrorBody>("GET", "/api/v1/conversations?limit=101", { token: alice.accessToken });
    expect(limit.status).toBe(400);
  });

  it("returns 401 without a token", async () => {
    expect((await call("GET", "/api/v1/conversations")).status).toBe(401);
  });
});

describe("GET and DELETE /api/v1/conversations/:id", () => {
  it("returns the caller's conversation", async () => {
    const conversation = await newConversation(alice, { title: "hello" });
    const res = await call<Conversation>("GET", `/api/v1/conversations/${conversation.id}`, { token: alice.accessToken });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(conversation);
    expect(res.headers.get("etag")).toBeTruthy();
  });

  it("returns 404 for another user's conversation, on read and on delete", async () => {
    const conversation = await newConversation(bob);
    const read = await call<ErrorBody>("GET", `/api/v1/conversations/${conversation.id}`, { token: alice.accessToken });
    expect(read.status).toBe(404);
    expect(read.body.error.code).toBe("not_found");
    const del = await call("DELETE", `/api/v1/conversations/${conversation.id}`, { token: alice.accessToken });
    expect(del.status).toBe(404);
    expect((await call("GET", `/api/v1/conversations/${conversation.id}`, { token: bob.accessToken })).status).toBe(200);
  });

  it("deletes a conversation: 204, then 404", async () => {
    const conversation = await newConversation(alice);
    const del = await call("DELETE", `/api/v1/conversations/${conversation.id}`, { token: alice.accessToken });
    expect(del.status).toBe(204);
    expect(del.text).toBe("");
    expect((await call("GET", `/api/v1/conversations/${conversation.id}`, { token: alice.accessToken })).status).toBe(404);
    expect((await call("DELETE", `/api/v1/conversations/${conversation.id}`, { token: alice.accessToken })).status).toBe(404);
  });

  it("returns 400 for an id that is not a UUID, 401 without a token", async () => {
    expect((await call("GET", "/api/v1/conversations/123", { token: alice.accessToken })).status).toBe(400);
    expect((await call("DELETE", "/api/v1/conversations/123", { token: alice.accessToken })).status).toBe(400);
    const conversation = await newConversation(alice);
    expect((await call("GET", `/api/v1/conversations/${conversation.id}`)).status).toBe(401);
    expect((await call("DELETE", `/api/v1/conversations/${conversation.id}`)).status).toBe(401);
  });
});

describe("OpenAPI document", () => {
  it("documents the conversation, message, submit and job routes", async () => {
    const res = await call<{ paths: Record<string, Record<string, unknown>> }>("GET", "/api/openapi.json");
    expect(res.status).toBe(200);
    const routes = [
      ["/api/v1/conversations", "post"],
      ["/api/v1/conversations", "get"],
      ["/api/v1/conversations/{id}", "get"],
      ["/api/v1/conversations/{id}", "delete"],
      ["/api/v1/conversations/{id}/messages", "get"],
      ["/api/v1/conversations/{id}/messages", "post"],
      ["/api/v1/assessments/{id}/submit", "post"],
      ["/api/v1/jobs/{id}", "get"],
      ["/api/v1/jobs/{id}/events", "get"],
    ];
    for (const [path = "", method = ""] of routes) expect(res.body.paths[path]?.[method], `${method} ${path}`).toBeDefined();
  });
});
