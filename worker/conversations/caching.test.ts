/** Conversations and message history through the shared cache, read from Server-Timing. */
import { beforeAll, describe, expect, it } from "vitest";
import { awaited } from "../../local/testing/round-trips.ts";
import { waitForJob } from "../jobs/testing.ts";
import { call } from "../testing/http.ts";
import { registerUser, type RegisteredUser } from "../testing/users.ts";
import type { Conversation, MessageAccepted } from "./schemas.ts";

let alice: RegisteredUser;

beforeAll(async () => {
  alice = await registerUser();
});

const get = (path: string) => call("GET", path, { token: alice.accessToken });

describe("cached conversation reads", () => {
  it("serves the list, a conversation and settled history from the cache; a new message drops what it changed", async () => {
    const created = await call<Conversation>("POST", "/api/v1/conversations", { token: alice.accessToken, body: { title: "Cached" } });
    const id = created.body.id;
    expect(awaited(await get(`/api/v1/conversations/${id}`))).toMatchObject({ neon: 0, cache: "hit" }); // written through
    expect(awaited(await get("/api/v1/conversations")).cache).toBe("miss");
    expect(awaited(await get("/api/v1/conversations"))).toMatchObject({ neon: 0, cache: "hit" });

    const posted = await call<MessageAccepted>("POST", `/api/v1/conversations/${id}/messages`, {
      token: alice.accessToken,
      body: { content: "Hello there." },
    });
    expect(posted.status).toBe(202);
    await waitForJob(alice.accessToken, posted.body.job.id);
    const history = await get(`/api/v1/conversations/${id}/messages`);
    expect(awaited(history).cache).toBe("miss");
    const again = await get(`/api/v1/conversations/${id}/messages`);
    expect(awaited(again)).toMatchObject({ neon: 0, cache: "hit" });
    expect(again.text).toBe(history.text);
    expect(awaited(await get(`/api/v1/conversations/${id}`)).cache).toBe("miss"); // lastMessageAt changed

    await call("POST", `/api/v1/conversations/${id}/messages`, { token: alice.accessToken, body: { content: "And again." } });
    const pending = await get(`/api/v1/conversations/${id}/messages`);
    expect(awaited(pending).cache).toBe("miss");
    expect(awaited(await get(`/api/v1/conversations/${id}/messages`)).cache).toBe("miss"); // a pending reply is never stored
  });

  it("caches a 404 briefly and keeps another user's conversation out of reach", async () => {
    const bob = await registerUser();
    const theirs = await call<Conversation>("POST", "/api/v1/conversations", { token: bob.accessToken, body: {} });
    for (let i = 0; i < 2; i++) {
      const res = await get(`/api/v1/conversations/${theirs.body.id}`);
      expect(res.status).toBe(404);
      expect(awaited(res).cache).toBe(i === 0 ? "miss" : "hit");
      expect((await get(`/api/v1/conversations/${theirs.body.id}/messages`)).status).toBe(404);
    }
  });

  it("forgets a deleted conversation at once", async () => {
    const created = await call<Conversation>("POST", "/api/v1/conversations", { token: alice.accessToken, body: {} });
    await get(`/api/v1/conversations/${created.body.id}/messages`);
    expect((await call("DELETE", `/api/v1/conversations/${created.body.id}`, { token: alice.accessToken })).status).toBe(204);
    expect((await get(`/api/v1/conversations/${created.body.id}`)).status).toBe(404);
    expect((await get(`/api/v1/conversations/${created.body.id}/messages`)).status).toBe(404);
  });
});
