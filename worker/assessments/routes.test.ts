import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { seededTemplates } from "../../drizzle/seed.ts";
import { assessments } from "../db/schema.ts";
import { newId } from "../platform/ids.ts";
import { call } from "../testing/http.ts";
import { registerUser, testDb, type RegisteredUser } from "../testing/users.ts";
import type { Assessment, AssessmentPage } from "./schemas.ts";
import type { ErrorBody } from "../errors.ts";

const who5VersionId = seededTemplates[1]?.versionId ?? "";

async function start(user: RegisteredUser, templateSlug = "who-5"): Promise<Assessment> {
  const res = await call<Assessment>("POST", "/api/v1/assessments", { token: user.accessToken, body: { templateSlug } });
  expect(res.status).toBe(201);
  return res.body;
}

describe("POST /api/v1/assessments", () => {
  let alice: RegisteredUser;
  beforeAll(async () => {
    alice = await registerUser();
  });

  it("starts a draft pinned to the template's current version", async () => {
    const res = await call<Assessment>("POST", "/api/v1/assessments", { token: alice.accessToken, body: { templateSlug: "mini-ipip" } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      templateSlug: "mini-ipip",
      templateVersion: 1,
      status: "draft",
      answers: {},
      scores: null,
      analysis: null,
      submittedAt: null,
      completedAt: null,
    });
    expect(res.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(new Date(res.body.createdAt).toISOString()).toBe(res.body.createdAt);
  });

  it("returns 404 for an unknown template slug", async () => {
    const res = await call<ErrorBody>("POST", "/api/v1/assessments", { token: alice.accessToken, body: { templateSlug: "no-such-test" } });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
  });

  it("returns 400 validation_failed without a templateSlug", async () => {
    const res = await call<ErrorBody>("POST", "/api/v1/assessments", { token: alice.accessToken, body: {} });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    expect(res.body.error.details?.[0]?.path).toBe("templateSlug");
  });

  it("returns 400 invalid_json for a malformed body and 415 for a non-JSON one", async () => {
    const headers = { "content-type": "application/json" };
    const bad = await call<ErrorBody>("POST", "/api/v1/assessments", { token: alice.accessToken, rawBody: "{nope", headers });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("invalid_json");
    const form = await call<ErrorBody>("POST", "/api/v1/assessments", {
      token: alice.accessToken,
      rawBody: "templateSlug=who-5",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(form.status).toBe(415);
  });

  it("returns 401 without a token", async () => {
    const res = await call<ErrorBody>("POST", "/api/v1/assessments", { body: { templateSlug: "who-5" } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("unauthorized");
  });
});

describe("GET /api/v1/assessments/:id", () => {
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  beforeAll(async () => {
    alice = await registerUser();
    bob = await registerUser();
  });

  it("returns the caller's assessment as private, revalidated data with a strong ETag", async () => {
    const mine = await start(alice);
    const res = await call<Assessment>("GET", `/api/v1/assessments/${mine.id}`, { token: alice.accessToken });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(mine);
    expect(res.headers.get("cache-control")).toBe("private, no-cache");
    expect(res.headers.get("etag")).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
  });

  it("answers 304 with no body to a matching If-None-Match", async () => {
    const mine = await start(alice);
    const first = await call("GET", `/api/v1/assessments/${mine.id}`, { token: alice.accessToken });
    const etag = first.headers.get("etag") ?? "";
    const again = await call("GET", `/api/v1/assessments/${mine.id}`, { token: alice.accessToken, headers: { "If-None-Match": etag } });
    expect(again.status).toBe(304);
    expect(again.text).toBe("");
    expect(again.headers.get("etag")).toBe(etag);
    expect(again.headers.get("cache-control")).toBe("private, no-cache");
    const weak = await call("GET", `/api/v1/assessments/${mine.id}`, { token: alice.accessToken, headers: { "If-None-Match": `"other", W/${etag}` } });
    expect(weak.status).toBe(304);
    const stale = await call("GET", `/api/v1/assessments/${mine.id}`, { token: alice.accessToken, headers: { "If-None-Match": '"stale"' } });
    expect(stale.status).toBe(200);
  });

  it("returns 404 for another user's assessment, never 403", async () => {
    const mine = await start(alice);
    const res = await call<ErrorBody>("GET", `/api/v1/assessments/${mine.id}`, { token: bob.accessToken });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
  });

  it("returns 404 for an id that does not exist and 400 for one that is not a UUID", async () => {
    expect((await call("GET", `/api/v1/assessments/${newId()}`, { token: alice.accessToken })).status).toBe(404);
    const bad = await call<ErrorBody>("GET", "/api/v1/assessments/not-a-uuid", { token: alice.accessToken });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("validation_failed");
    expect(bad.body.error.details?.[0]?.path).toBe("id");
  });

  it("returns 401 without a token or with a tampered one", async () => {
    const mine = await start(alice);
    expect((await call("GET", `/api/v1/assessments/${mine.id}`)).status).toBe(401);
    const tampered = `${alice.accessToken.slice(0, -2)}xx`;
    expect((await call("GET", `/api/v1/assessments/${mine.id}`, { token: tampered })).status).toBe(401);
  });
});

describe("PUT /api/v1/assessments/:id/answers", () => {
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  beforeAll(async () => {
    alice = await registerUser();
    bob = await registerUser();
  });

  const put = (user: RegisteredUser, id: string, answers: Record<string, unknown>) =>
    call<Assessment & ErrorBody>("PUT", `/api/v1/assessments/${id}/answers`, { token: user.accessToken, body: { answers } });

  it("merges answers into the draft", async () => {
    const mine = await start(alice);
    expect((await put(alice, mine.id, { q1: 3, q2: 4 })).body.answers).toEqual({ q1: 3, q2: 4 });
    const res = await put(alice, mine.id, { q2: 5, q3: 0 });
    expect(res.status).toBe(200);
    expect(res.body.answers).toEqual({ q1: 3, q2: 5, q3: 0 });
    expect(res.body.status).toBe("draft");
  });

  it("returns the new answers on the next read (read-your-writes through the cache)", async () => {
    const mine = await start(alice);
    // Warm the caches of the item and of the list.
    await call("GET", `/api/v1/assessments/${mine.id}`, { token: alice.accessToken });
    await call("GET", "/api/v1/assessments", { token: alice.accessToken });
    await put(alice, mine.id, { q4: 2 });
    const item = await call<Assessment>("GET", `/api/v1/assessments/${mine.id}`, { token: alice.accessToken });
    expect(item.body.answers).toEqual({ q4: 2 });
    const list = await call<AssessmentPage>("GET", "/api/v1/assessments", { token: alice.accessToken });
    expect(list.body.items.find((a) => a.id === mine.id)?.answers).toEqual({ q4: 2 });
  });

  it("refuses answers that do not fit their questions with 400 and one detail per bad answer, saving none", async () => {
    const mine = await start(alice);
    const res = await put(alice, mine.id, { q1: 6, q2: 2.5, q3: "3", q4: 4, nope: 1 });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    expect(res.body.error.details).toEqual([
      { path: "answers.q1", message: "Expected an integer from 0 to 5" },
      { path: "answers.q2", message: "Expected an integer from 0 to 5" },
      { path: "answers.q3", message: "Expected an integer from 0 to 5" },
      { path: "answers.nope", message: "No such question in this assessment's template" },
    ]);
    const after = await call<Assessment>("GET", `/api/v1/assessments/${mine.id}`, { token: alice.accessToken });
    expect(after.body.answers).toEqual({});
  });

  it("refuses a body whose answers are not numbers or strings", async () => {
    const mine = await start(alice);
    const res = await put(alice, mine.id, { q1: true });
    expect(res.status).toBe(400);
    expect(res.body.error.details?.[0]?.path).toBe("answers.q1");
    expect((await call("PUT", `/api/v1/assessments/${mine.id}/answers`, { token: alice.accessToken, body: {} })).status).toBe(400);
  });

  it("returns 409 unless the assessment is a draft", async () => {
    const mine = await start(alice);
    await testDb().update(assessments).set({ status: "analyzing" }).where(eq(assessments.id, mine.id));
    const res = await put(alice, mine.id, { q1: 3 });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("conflict");
  });

  it("returns 404 for another user's assessment and leaves it untouched", async () => {
    const mine = await start(alice);
    expect((await put(bob, mine.id, { q1: 1 })).status).toBe(404);
    const after = await call<Assessment>("GET", `/api/v1/assessments/${mine.id}`, { token: alice.accessToken });
    expect(after.body.answers).toEqual({});
  });

  it("returns 400 for a bad id, 401 without a token", async () => {
    expect((await put(alice, "123", { q1: 1 })).status).toBe(400);
    expect((await call("PUT", `/api/v1/assessments/${newId()}/answers`, { body: { answers: {} } })).status).toBe(401);
  });
});

describe("DELETE /api/v1/assessments/:id", () => {
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  beforeAll(async () => {
    alice = await registerUser();
    bob = await registerUser();
  });

  it("deletes the caller's assessment; it is gone from reads and the list at once", async () => {
    const mine = await start(alice);
    await call("GET", "/api/v1/assessments", { token: alice.accessToken });
    const res = await call("DELETE", `/api/v1/assessments/${mine.id}`, { token: alice.accessToken });
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expect((await call("GET", `/api/v1/assessments/${mine.id}`, { token: alice.accessToken })).status).toBe(404);
    const list = await call<AssessmentPage>("GET", "/api/v1/assessments", { token: alice.accessToken });
    expect(list.body.items.map((a) => a.id)).not.toContain(mine.id);
    expect((await call("DELETE", `/api/v1/assessments/${mine.id}`, { token: alice.accessToken })).status).toBe(404);
  });

  it("returns 404 for another user's assessment and keeps it", async () => {
    const mine = await start(alice);
    expect((await call("DELETE", `/api/v1/assessments/${mine.id}`, { token: bob.accessToken })).status).toBe(404);
    expect((await call("GET", `/api/v1/assessments/${mine.id}`, { token: alice.accessToken })).status).toBe(200);
  });

  it("returns 400 for a bad id, 401 without a token", async () => {
    expect((await call("DELETE", "/api/v1/assessments/nope", { token: alice.accessToken })).status).toBe(400);
    expect((await call("DELETE", `/api/v1/assessments/${newId()}`)).status).toBe(401);
  });
});

describe("GET /api/v1/assessments", () => {
  it("lists only the caller's assessments, newest first, as private data", async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const a1 = await start(alice);
    const a2 = await start(alice, "mini-ipip");
    await start(bob);
    const res = await call<AssessmentPage>("GET", "/api/v1/assessments", { token: alice.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.items.map((a) => a.id)).toEqual([a2.id, a1.id]);
    expect(res.body.nextCursor).toBeNull();
    expect(res.headers.get("cache-control")).toBe("private, no-cache");
    const etag = res.headers.get("etag") ?? "";
    const again = await call("GET", "/api/v1/assessments", { token: alice.accessToken, headers: { "If-None-Match": etag } });
    expect(again.status).toBe(304);
    expect(again.text).toBe("");
  });

  it("pages without duplicates or gaps while new assessments arrive", async () => {
    const alice = await registerUser();
    const original: string[] = [];
    for (let i = 0; i < 7; i++) original.unshift((await start(alice)).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=3&cursor=${encodeURIComponent(cursor)}` : "?limit=3";
      const res = await call<AssessmentPage>("GET", `/api/v1/assessments${query}`, { token: alice.accessToken });
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((a) => a.id));
      cursor = res.body.nextCursor;
      pages += 1;
      // New items arrive between pages, some of them concurrently.
      await Promise.all([start(alice), start(alice)]);
    } while (cursor && pages < 10);
    expect(seen).toEqual(original);
    expect(pages).toBe(3);
  });

  it("orders rows created in the same microsecond by id, skipping and repeating none", async () => {
    const alice = await registerUser();
    const createdAt = new Date("2026-01-01T00:00:00.123Z");
    const ids = Array.from({ length: 5 }, () => newId()).sort();
    await testDb()
      .insert(assessments)
      .values(ids.map((id) => ({ id, userId: alice.user.id, templateVersionId: who5VersionId, templateSlug: "who-5", templateVersion: 1, createdAt })));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : "?limit=2";
      const res = await call<AssessmentPage>("GET", `/api/v1/assessments${query}`, { token: alice.accessToken });
      seen.push(...res.body.items.map((a) => a.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
  });

  it("returns 400 for a limit out of 1..100 or not a number, and for a cursor it did not issue", async () => {
    const alice = await registerUser();
    for (const limit of ["0", "101", "abc", "2.5"]) {
      const res = await call<ErrorBody>("GET", `/api/v1/assessments?limit=${limit}`, { token: alice.accessToken });
      expect(res.status).toBe(400);
      expect(res.body.error.details?.[0]?.path).toBe("limit");
    }
    const res = await call<ErrorBody>("GET", "/api/v1/assessments?cursor=forged", { token: alice.accessToken });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ path: "cursor", message: "Not a cursor from this list" }]);
  });

  it("returns 401 without a token", async () => {
    expect((await call("GET", "/api/v1/assessments")).status).toBe(401);
  });
});
