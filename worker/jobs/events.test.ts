/**
 * `/jobs/:id/events` by push: while the model takes seconds, the stream costs the database one
 * read (on connect), and a lost publish still ends the stream with the final status.
 */
import { createExecutionContext } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { clearFaults, counts, setFault, type NeonCount } from "../../local/control.ts";
import type { Env } from "../config.ts";
import type { Conversation, MessageAccepted } from "../conversations/schemas.ts";
import worker from "../index.ts";
import { scopes, testEnv, testRequest } from "../testing/http.ts";
import { registerUser, type RegisteredUser } from "../testing/users.ts";
import type { Job } from "./service.ts";
import { callWith, deliver, envWith, lostQueue } from "./testing.ts";

const MODEL_LATENCY_MS = 3_000;

let alice: RegisteredUser;

beforeAll(async () => {
  alice = await registerUser();
});

afterEach(() => clearFaults(testEnv.STANDIN_GEMINI, scopes.gemini));

/** Neon requests of this project's database so far (queries and batches). */
async function neonRequests(): Promise<number> {
  const seen = await counts<NeonCount>(testEnv.STANDIN_NEON, scopes.neon);
  return (seen.query ?? 0) + (seen.batch ?? 0);
}

/** A chat message whose job is written but not delivered (the test delivers it). */
async function queuedJob(target: Env): Promise<string> {
  const conversation = await callWith<Conversation>(target, "POST", "/api/v1/conversations", { token: alice.accessToken, body: {} });
  const res = await callWith<MessageAccepted>(target, "POST", `/api/v1/conversations/${conversation.body.id}/messages`, {
    token: alice.accessToken,
    body: { content: "Tell me something encouraging." },
  });
  expect(res.status).toBe(202);
  return res.body.job.id;
}

/** Opens the stream and resolves once its first event arrived; `rest` reads it to the end. */
async function openStream(target: Env, jobId: string): Promise<{ rest: Promise<Job[]> }> {
  const res = await worker.fetch(testRequest("GET", `/api/v1/jobs/${jobId}/events`, { token: alice.accessToken }), target, createExecutionContext());
  expect(res.status).toBe(200);
  const reader = (res.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  const rest = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return statusEvents(text);
      text += value;
    }
  })();
  return { rest };
}

function statusEvents(text: string): Job[] {
  return text
    .split("\n\n")
    .filter((block) => block.includes("event: status"))
    .map((block) => JSON.parse(block.split("\n").find((line) => line.startsWith("data: "))?.slice(6) ?? "null") as Job);
}

/** What the job itself costs the database, measured on a twin nobody watches. */
async function jobCost(target: Env): Promise<number> {
  const jobId = await queuedJob(target);
  const before = await neonRequests();
  await deliver([jobId], { target });
  return (await neonRequests()) - before;
}

describe("GET /api/v1/jobs/:id/events while the model takes seconds", () => {
  it("costs the database at most one request for the stream itself", async () => {
    await setFault(testEnv.STANDIN_GEMINI, { scope: scopes.gemini, latencyMs: MODEL_LATENCY_MS });
    const target = envWith({ AI_JOBS: lostQueue });
    const job = await jobCost(target);

    const jobId = await queuedJob(target);
    const before = await neonRequests();
    const stream = await openStream(target, jobId);
    await deliver([jobId], { target });
    const events = await stream.rest;
    const streamCost = (await neonRequests()) - before - job;

    expect(events.map((e) => e.status)).toEqual(["queued", "running", "succeeded"]);
    expect(events.every((e) => e.id === jobId)).toBe(true);
    expect(streamCost).toBeLessThanOrEqual(1);
  });

  it("still ends with the final status when the publish is lost, reading the job once more", async () => {
    await setFault(testEnv.STANDIN_GEMINI, { scope: scopes.gemini, latencyMs: MODEL_LATENCY_MS });
    const target = envWith({ AI_JOBS: lostQueue, AI_EVENTS_MAX_SECONDS: "6" });
    // The consumer publishes under another key prefix: nobody hears it, as when Upstash drops it.
    const elsewhere: Env = { ...target, KEY_PREFIX: `${String(target.KEY_PREFIX)}elsewhere:` };
    const job = await jobCost(elsewhere);

    const jobId = await queuedJob(target);
    const before = await neonRequests();
    const stream = await openStream(target, jobId);
    await deliver([jobId], { target: elsewhere });
    const events = await stream.rest;
    const streamCost = (await neonRequests()) - before - job;

    expect(events.map((e) => e.status)).toEqual(["queued", "succeeded"]);
    expect(streamCost).toBeLessThanOrEqual(2); // on connect, and the one re-read before giving up
  });
});
