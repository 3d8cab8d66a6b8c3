import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { clearFaults, setFault } from "../../local/control.ts";
import { assessments } from "../db/schema.ts";
import { call, scopes, testEnv } from "../testing/http.ts";
import { registerUser, testDb, type RegisteredUser } from "../testing/users.ts";
import { awaited, measured } from "../../local/testing/round-trips.ts";
import type { Assessment, AssessmentPage } from "./schemas.ts";

async function start(user: RegisteredUser): Promise<Assessment> {
  return (await call<Assessment>("POST", "/api/v1/assessments", { token: user.accessToken, body: { templateSlug: "who-5" } })).body;
}

describe("round trips per request (Neon and Upstash stand-in counters)", () => {
  let alice: RegisteredUser;
  let draft: Assessment;
  beforeAll(async () => {
    alice = await registerUser();
    draft = await start(alice);
  });

  it("POST /assessments: one Neon round trip, one Upstash round trip (invalidation)", async () => {
    const { res, served } = await measured(() => start(alice));
    expect(res.id).toBeTruthy();
    expect(served).toEqual({ neon: 1, upstash: 1 });
  });

  it("GET /assessments: one Neon round trip on a miss, none on a hit; one Upstash round trip awaited", async () => {
    const miss = await measured(() => call("GET", "/api/v1/assessments", { token: alice.accessToken }));
    expect(awaited(miss.res)).toEqual({ neon: 1, upstash: 1, cache: "miss" });
    // The write-back runs after the response (waitUntil): one more Upstash request, not awaited.
    expect(miss.served).toEqual({ neon: 1, upstash: 2 });

    const hit = await measured(() => call("GET", "/api/v1/assessments", { token: alice.accessToken }));
    expect(awaited(hit.res)).toEqual({ neon: 0, upstash: 1, cache: "hit" });
    expect(hit.served).toEqual({ neon: 0, upstash: 1 });
    expect(hit.res.text).toBe(miss.res.text);
    expect(hit.res.headers.get("etag")).toBe(miss.res.headers.get("etag"));
  });

  it("GET /assessments/:id: one Neon round trip on a miss, none on a hit", async () => {
    const path = `/api/v1/assessments/${draft.id}`;
    const miss = await measured(() => call("GET", path, { token: alice.accessToken }));
    expect(awaited(miss.res)).toEqual({ neon: 1, upstash: 1, cache: "miss" });
    expect(miss.served).toEqual({ neon: 1, upstash: 2 });
    const hit = await measured(() => call("GET", path, { token: alice.accessToken }));
    expect(awaited(hit.res)).toEqual({ neon: 0, upstash: 1, cache: "hit" });
    expect(hit.served).toEqual({ neon: 0, upstash: 1 });
  });

  it("a 304 costs no more than the hit it is", async () => {
    const path = `/api/v1/assessments/${draft.id}`;
    const first = await call("GET", path, { token: alice.accessToken });
    const { res, served } = await measured(() =>
      call("GET", path, { token: alice.accessToken, headers: { "If-None-Match": first.headers.get("etag") ?? "" } }),
    );
    expect(res.status).toBe(304);
    expect(served).toEqual({ neon: 0, upstash: 1 });
  });

  it("PUT answers and DELETE: exactly one Neon round trip and one Upstash round trip each", async () => {
    const target = await start(alice);
    const put = await measured(() =>
      call("PUT", `/api/v1/assessments/${target.id}/answers`, { token: alice.accessToken, body: { answers: { q1: 4 } } }),
    );
    expect(put.res.status).toBe(200);
    expect(put.served).toEqual({ neon: 1, upstash: 1 });
    const refused = await measured(() =>
      call("PUT", `/api/v1/assessments/${target.id}/answers`, { token: alice.accessToken, body: { answers: { q1: 9 } } }),
    );
    expect(refused.res.status).toBe(400);
    // Nothing to invalidate, so the deleted-account check (auth/middleware.ts) goes on its own.
    expect(refused.served).toEqual({ neon: 1, upstash: 1 });
    const del = await measured(() => call("DELETE", `/api/v1/assessments/${target.id}`, { token: alice.accessToken }));
    expect(del.res.status).toBe(204);
    expect(del.served).toEqual({ neon: 1, upstash: 1 });
  });

  it("reads an assessment under analysis through to the database, since its job is about to change it", async () => {
    const busy = await start(alice);
    await testDb().update(assessments).set({ status: "analyzing" }).where(eq(assessments.id, busy.id));
    for (let i = 0; i < 2; i++) {
      const { res, served } = await measured(() => call("GET", `/api/v1/assessments/${busy.id}`, { token: alice.accessToken }));
      expect(awaited(res).cache).toBe("miss");
      expect(served).toEqual({ neon: 1, upstash: 1 });
    }
  });
});

describe("concurrent requests in one isolate", () => {
  it("each get their own cache round trip and answer, none waiting on another's I/O", async () => {
    const alice = await registerUser();
    const mine = await start(alice);
    const paths = ["/api/v1/assessments", `/api/v1/assessments/${mine.id}`, "/api/v1/me", "/api/v1/templates/who-5"];
    for (let round = 0; round < 2; round++) {
      const results = await Promise.all(paths.map((path) => call("GET", path, { token: alice.accessToken })));
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    }
  });
});

describe("with the Upstash stand-in down or slow", () => {
  afterEach(() => clearFaults(testEnv.STANDIN_UPSTASH, scopes.upstash));

  it("still answers reads with 200 from the database", async () => {
    const alice = await registerUser();
    const mine = await start(alice);
    await setFault(testEnv.STANDIN_UPSTASH, { scope: scopes.upstash, down: true });
    const list = await call<AssessmentPage>("GET", "/api/v1/assessments", { token: alice.accessToken });
    expect(list.status).toBe(200);
    expect(list.body.items.map((a) => a.id)).toEqual([mine.id]);
    expect(awaited(list).cache).toBe("bypass");
    const item = await call<Assessment>("GET", `/api/v1/assessments/${mine.id}`, { token: alice.accessToken });
    expect(item.status).toBe(200);
  });

  it("still saves, and the writer reads its own write after the cache comes back", async () => {
    const alice = await registerUser();
    const mine = await start(alice);
    await call("GET", `/api/v1/assessments/${mine.id}`, { token: alice.accessToken }); // cached: no answers
    await setFault(testEnv.STANDIN_UPSTASH, { scope: scopes.upstash, down: true });
    const put = await call<Assessment>("PUT", `/api/v1/assessments/${mine.id}/answers`, {
      token: alice.accessToken,
      body: { answers: { q2: 1 } },
    });
    expect(put.status).toBe(200);
    await clearFaults(testEnv.STANDIN_UPSTASH, scopes.upstash);
    // The invalidation failed, so this isolate reads the family through until the old values expire.
    const item = await call<Assessment>("GET", `/api/v1/assessments/${mine.id}`, { token: alice.accessToken });
    expect(item.body.answers).toEqual({ q2: 1 });
    expect(awaited(item).cache).toBe("bypass");
  });

  it("does not wait for a slow cache: the database answers after the cache timeout", async () => {
    const alice = await registerUser();
    await start(alice);
    await setFault(testEnv.STANDIN_UPSTASH, { scope: scopes.upstash, latencyMs: 3_000 });
    const started = Date.now();
    const res = await call("GET", "/api/v1/assessments", { token: alice.accessToken });
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(awaited(res)).toMatchObject({ neon: 1, cache: "bypass" });
  });
});

describe("cached reads of a deleted account", () => {
  it("are dropped with the account: the old token is refused (401) right after DELETE /me", async () => {
    const alice = await registerUser();
    await start(alice);
    expect((await call<AssessmentPage>("GET", "/api/v1/assessments", { token: alice.accessToken })).body.items).toHaveLength(1);
    const del = await call("DELETE", "/api/v1/me", { token: alice.accessToken, body: { password: alice.password } });
    expect(del.status).toBe(204);
    const after = await call<AssessmentPage>("GET", "/api/v1/assessments", { token: alice.accessToken });
    expect(after.status).toBe(401);
    expect(after.text).not.toContain(alice.user.id);
  });
});
