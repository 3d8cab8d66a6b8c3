import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { clearFaults, setFault } from "../../local/control.ts";
import { assessments } from "../db/schema.ts";
import { call, scopes, testEnv } from "../testing/http.ts";
import { registerUser, testDb, type RegisteredUser } from "../testing/users.ts";
import { awaited, measured } from "../../local/testing/round-trips.ts";
import type { Env } from "../config.ts";
import { servicesFor } from "../platform/services.ts";
import type { Assessment, AssessmentPage } from "./schemas.ts";
import { forgetAssessment } from "./service.ts";

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

  it("POST /assessments: one Neon round trip; three Upstash: the per-user limit before, the cache revision (read, then one script) after", async () => {
    const { res, served } = await measured(() => start(alice));
    expect(res.id).toBeTruthy();
    expect(served).toEqual({ neon: 1, upstash: 3 });
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

  it("GET /assessments/:id: written through by the create, so a hit with no Neon round trip", async () => {
    const hit = await measured(() => call("GET", `/api/v1/assessments/${draft.id}`, { token: alice.accessToken }));
    expect(awaited(hit.res)).toEqual({ neon: 0, upstash: 1, cache: "hit" });
    expect(hit.served).toEqual({ neon: 0, upstash: 1 });
  });

  it("caches a not-found answer briefly: a repeated 404 costs no Neon round trip", async () => {
    const path = `/api/v1/assessments/${crypto.randomUUID()}`;
    const miss = await measured(() => call("GET", path, { token: alice.accessToken }));
    expect(miss.res.status).toBe(404);
    expect(miss.served).toEqual({ neon: 1, upstash: 2 });
    const hit = await measured(() => call("GET", path, { token: alice.accessToken }));
    expect(hit.res.status).toBe(404);
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

  it("PUT answers and DELETE: exactly one Neon round trip each; Upstash: the limit before a PUT, the revision (read, then one script) after both", async () => {
    const target = await start(alice);
    const put = await measured(() =>
      call("PUT", `/api/v1/assessments/${target.id}/answers`, { token: alice.accessToken, body: { answers: { q1: 4 } } }),
    );
    expect(put.res.status).toBe(200);
    expect(put.served).toEqual({ neon: 1, upstash: 3 });
    const refused = await measured(() =>
      call("PUT", `/api/v1/assessments/${target.id}/answers`, { token: alice.accessToken, body: { answers: { q1: 9 } } }),
    );
    expect(refused.res.status).toBe(400);
    // Nothing to invalidate, so the deleted-account check (auth/middleware.ts) goes on its own.
    expect(refused.served).toEqual({ neon: 1, upstash: 1 });
    const del = await measured(() => call("DELETE", `/api/v1/assessments/${target.id}`, { token: alice.accessToken }));
    expect(del.res.status).toBe(204);
    expect(del.served).toEqual({ neon: 1, upstash: 2 });
  });

  it("an answer to a draft updates its cached reads and evicts nothing else: the profile, other assessments, the list", async () => {
    const bob = await registerUser();
    const token = bob.accessToken;
    const other = await start(bob);
    const mine = await start(bob);
    const paths = ["/api/v1/me", "/api/v1/assessments", `/api/v1/assessments/${other.id}`, `/api/v1/assessments/${mine.id}`];
    for (const path of paths) await call("GET", path, { token }); // everything cached
    const put = await call<Assessment>("PUT", `/api/v1/assessments/${mine.id}/answers`, { token, body: { answers: { q1: 2 } } });
    expect(put.status).toBe(200);
    const after = await measured(() => Promise.all(paths.map((path) => call("GET", path, { token }))));
    expect(after.res.map((r) => awaited(r).cache)).toEqual(["hit", "hit", "hit", "hit"]);
    expect(after.served.neon).toBe(0);
    const [, list, , item] = after.res as [unknown, { body: AssessmentPage }, unknown, { body: Assessment }];
    expect(item.body.answers).toEqual({ q1: 2 });
    expect(list.body.items.find((a) => a.id === mine.id)?.answers).toEqual({ q1: 2 });
  });

  it("reads an assessment under analysis through to the database, since its job is about to change it", async () => {
    const busy = await start(alice);
    await testDb().update(assessments).set({ status: "analyzing" }).where(eq(assessments.id, busy.id));
    await forgetAssessment(servicesFor(env as unknown as Env), alice.user.id, busy.id); // as submit's revision does
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
    // Longer than the test may run: only giving up on the cache lets the request answer.
    await setFault(testEnv.STANDIN_UPSTASH, { scope: scopes.upstash, latencyMs: 120_000 });
    const res = await call("GET", "/api/v1/assessments", { token: alice.accessToken });
    expect(res.status).toBe(200);
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
