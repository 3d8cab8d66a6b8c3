import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { clearFaults, setFault } from "../../local/control.ts";
import type { Conversation, MessageAccepted } from "../conversations/schemas.ts";
import { call, scopes, testEnv } from "../testing/http.ts";
import { registerPair, type RegisteredUser } from "../testing/users.ts";
import type { Job } from "./service.ts";
import { waitForJob } from "./testing.ts";

let alice: RegisteredUser;
let bob: RegisteredUser;

beforeAll(async () => {
  [alice, bob] = await registerPair();
});

afterEach(() => clearFaults(testEnv.STANDIN_GEMINI, scopes.gemini));

async function postMessage(user: RegisteredUser): Promise<MessageAccepted> {
  const conversation = await call<Conversation>("POST", "/api/v1/conversations", { token: user.accessToken, body: {} });
  const res = await call<MessageAccepted>("POST", `/api/v1/conversations/${conversation.body.id}/messages`, {
    token: user.accessToken,
    body: { content: "Tell me something encouraging." },
  });
  expect(res.status).toBe(202);
  return res.body;
}

/** The `status` events of a finished SSE body, in order. */
function statusEvents(text: string): Job[] {
  return text
    .split("\n\n")
    .filter((block) => block.includes("event: status"))
    .map((block) => {
      const data = block.split("\n").find((line) => line.startsWith("data: "));
      return JSON.parse(data?.slice("data: ".length) ?? "null") as Job;
    });
}

describe("GET /api/v1/jobs/:id", () => {
  it("returns the caller's job with an ETag, and 304 when it has not changed", async () => {
    const accepted = await postMessage(alice);
    const job = await waitForJob(alice.accessToken, accepted.job.id);
    const res = await call<Job>("GET", `/api/v1/jobs/${job.id}`, { token: alice.accessToken });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: accepted.job.id,
      kind: "chat_reply",
      status: "succeeded",
      attempts: 1,
      error: null,
      subjectId: accepted.reply.id,
      createdAt: accepted.job.createdAt,
      updatedAt: expect.any(String),
    });
    expect(res.headers.get("cache-control")).toBe("private, no-cache");
    const again = await call("GET", `/api/v1/jobs/${job.id}`, {
      token: alice.accessToken,
      headers: { "If-None-Match": res.headers.get("etag") ?? "" },
    });
    expect(again.status).toBe(304);
  });

  it("returns 404 for another user's job", async () => {
    const accepted = await postMessage(bob);
    const res = await call<{ error: { code: string } }>("GET", `/api/v1/jobs/${accepted.job.id}`, { token: alice.accessToken });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
  });

  it("returns 400 for an id that is not a UUID, 401 without a token", async () => {
    expect((await call("GET", "/api/v1/jobs/42", { token: alice.accessToken })).status).toBe(400);
    const accepted = await postMessage(alice);
    expect((await call("GET", `/api/v1/jobs/${accepted.job.id}`)).status).toBe(401);
  });
});

describe("GET /api/v1/jobs/:id/events", () => {
  it("streams queued, running and succeeded, then closes", async () => {
    // A slow model keeps the job visibly running for a few polls.
    await setFault(testEnv.STANDIN_GEMINI, { scope: scopes.gemini, latencyMs: 2_000 });
    const accepted = await postMessage(alice);
    const res = await call("GET", `/api/v1/jobs/${accepted.job.id}/events`, { token: alice.accessToken });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const events = statusEvents(res.text);
    expect(events.map((e) => e.status)).toEqual(["queued", "running", "succeeded"]);
    expect(events.every((e) => e.id === accepted.job.id)).toBe(true);
  });

  it("sends one event and closes for a job that already finished", async () => {
    const accepted = await postMessage(alice);
    await waitForJob(alice.accessToken, accepted.job.id);
    const res = await call("GET", `/api/v1/jobs/${accepted.job.id}/events`, { token: alice.accessToken });
    expect(statusEvents(res.text).map((e) => e.status)).toEqual(["succeeded"]);
  });

  it("returns 404 for another user's job, 401 without a token", async () => {
    const accepted = await postMessage(bob);
    const path = `/api/v1/jobs/${accepted.job.id}/events`;
    const other = await call<{ error: { code: string } }>("GET", path, { token: alice.accessToken });
    expect(other.status).toBe(404);
    expect(other.headers.get("content-type")).toContain("application/json");
    expect((await call("GET", path)).status).toBe(401);
  });
});
