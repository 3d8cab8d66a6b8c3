/**
 * Text Postgres cannot store, tried on every route that stores or looks up a string (API.md,
 * Conventions: strings): NUL and lone UTF-16 surrogates are 400 `validation_failed` at the field,
 * never a 500. And cursors that decode to impossible instants are 400 on every list.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { ErrorBody } from "../errors.ts";
import { call } from "../testing/http.ts";
import { registerAdmin, registerUser, TURNSTILE_TOKEN, uniqueEmail, type RegisteredUser } from "../testing/users.ts";

const ODD = {
  NUL: "before\u0000after",
  "a lone high surrogate": "before\uD800after",
  "a lone low surrogate": "\uDC00after",
  "a reversed pair": "\uDE00\uD83D",
};

let alice: RegisteredUser;
let admin: RegisteredUser;
let assessmentId: string;
let conversationId: string;

beforeAll(async () => {
  [alice, admin] = await Promise.all([registerUser(), registerAdmin()]);
  const [assessment, conversation] = await Promise.all([
    call<{ id: string }>("POST", "/api/v1/assessments", { token: alice.accessToken, body: { templateSlug: "who-5" } }),
    call<{ id: string }>("POST", "/api/v1/conversations", { token: alice.accessToken, body: { title: "Odd input" } }),
  ]);
  assessmentId = assessment.body.id;
  conversationId = conversation.body.id;
});

const password = "a sturdy passphrase 42";
const template = (odd: string, where: "title" | "text" | "label" | "section" | "name" | "slug") => ({
  slug: where === "slug" ? `odd-${odd}` : `odd-${Date.now().toString(36)}`,
  title: where === "title" ? odd : "Odd",
  description: "Odd input",
  estimatedMinutes: 1,
  questions: [
    {
      id: "q1",
      text: where === "text" ? odd : "Question",
      type: "single_choice",
      section: where === "section" ? odd : "Section",
      options: [
        { value: "a", label: where === "label" ? odd : "A" },
        { value: "b", label: "B" },
      ],
    },
    { id: "q2", text: "Likert", type: "likert", min: 1, max: 5 },
  ],
  scales: [{ id: "s", name: where === "name" ? odd : "Scale", items: [{ questionId: "q2", reverse: false }] }],
});

interface Attempt {
  route: string;
  /** The detail path the refusal must name. */
  path: string;
  send: (odd: string) => Promise<{ status: number; body: ErrorBody }>;
}

const attempts: Attempt[] = [
  { route: "POST /auth/register", path: "email", send: (odd) => call("POST", "/api/v1/auth/register", { body: { email: `a${odd}@example.com`, password, displayName: "A", turnstileToken: TURNSTILE_TOKEN } }) },
  { route: "POST /auth/register", path: "displayName", send: (odd) => call("POST", "/api/v1/auth/register", { body: { email: uniqueEmail(), password, displayName: odd, turnstileToken: TURNSTILE_TOKEN } }) },
  { route: "POST /auth/register", path: "password", send: (odd) => call("POST", "/api/v1/auth/register", { body: { email: uniqueEmail(), password: `${password} ${odd}`, displayName: "A", turnstileToken: TURNSTILE_TOKEN } }) },
  { route: "POST /auth/register", path: "turnstileToken", send: (odd) => call("POST", "/api/v1/auth/register", { body: { email: uniqueEmail(), password, displayName: "A", turnstileToken: odd } }) },
  { route: "POST /auth/login", path: "email", send: (odd) => call("POST", "/api/v1/auth/login", { body: { email: `a${odd}@example.com`, password } }) },
  { route: "POST /auth/refresh", path: "refreshToken", send: (odd) => call("POST", "/api/v1/auth/refresh", { body: { refreshToken: odd } }) },
  { route: "POST /auth/logout", path: "refreshToken", send: (odd) => call("POST", "/api/v1/auth/logout", { body: { refreshToken: odd } }) },
  { route: "PATCH /me", path: "displayName", send: (odd) => call("PATCH", "/api/v1/me", { token: alice.accessToken, body: { displayName: odd } }) },
  { route: "PATCH /me", path: "newPassword", send: (odd) => call("PATCH", "/api/v1/me", { token: alice.accessToken, body: { currentPassword: alice.password, newPassword: `${password} ${odd}` } }) },
  { route: "POST /assessments", path: "templateSlug", send: (odd) => call("POST", "/api/v1/assessments", { token: alice.accessToken, body: { templateSlug: odd } }) },
  { route: "PUT /assessments/:id/answers", path: "answers.q1", send: (odd) => call("PUT", `/api/v1/assessments/${assessmentId}/answers`, { token: alice.accessToken, body: { answers: { q1: odd } } }) },
  { route: "PUT /assessments/:id/answers", path: "answers", send: (odd) => call("PUT", `/api/v1/assessments/${assessmentId}/answers`, { token: alice.accessToken, body: { answers: { [odd]: 3 } } }) },
  { route: "POST /conversations", path: "title", send: (odd) => call("POST", "/api/v1/conversations", { token: alice.accessToken, body: { title: odd } }) },
  { route: "POST /conversations/:id/messages", path: "content", send: (odd) => call("POST", `/api/v1/conversations/${conversationId}/messages`, { token: alice.accessToken, body: { content: odd } }) },
  { route: "POST /templates", path: "slug", send: (odd) => call("POST", "/api/v1/templates", { token: admin.accessToken, body: template(odd, "slug") }) },
  { route: "POST /templates", path: "title", send: (odd) => call("POST", "/api/v1/templates", { token: admin.accessToken, body: template(odd, "title") }) },
  { route: "POST /templates", path: "questions.0.text", send: (odd) => call("POST", "/api/v1/templates", { token: admin.accessToken, body: template(odd, "text") }) },
  { route: "POST /templates", path: "questions.0.section", send: (odd) => call("POST", "/api/v1/templates", { token: admin.accessToken, body: template(odd, "section") }) },
  { route: "POST /templates", path: "questions.0.options.0.label", send: (odd) => call("POST", "/api/v1/templates", { token: admin.accessToken, body: template(odd, "label") }) },
  { route: "POST /templates", path: "scales.0.name", send: (odd) => call("POST", "/api/v1/templates", { token: admin.accessToken, body: template(odd, "name") }) },
  {
    route: "PUT /templates/:slug",
    path: "title",
    send: (odd) => {
      const { slug: _slug, ...content } = template(odd, "title");
      return call("PUT", "/api/v1/templates/who-5", { token: admin.accessToken, body: content });
    },
  },
];

describe.each(Object.entries(ODD))("%s", (_, odd) => {
  it.each(attempts.map((a) => [a.route, a.path, a] as const))("%s refuses it at %s with 400 validation_failed", async (_route, path, attempt) => {
    const res = await attempt.send(odd);

    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    const paths = res.body.error.details?.map((d) => d.path) ?? [];
    expect(paths.some((p) => p === path || p.startsWith(`${path}.`)), paths.join(", ")).toBe(true);
  });
});

/** Strings in paths and queries: only NUL survives URL encoding (a lone surrogate cannot be percent-encoded). */
describe("NUL in a path or a query", () => {
  const nul = encodeURIComponent("who\u00005");
  it.each([
    ["GET /templates/:slug", "GET", `/api/v1/templates/${nul}`, "anon"],
    ["PUT /templates/:slug", "PUT", `/api/v1/templates/${nul}`, "admin"],
    ["DELETE /templates/:slug", "DELETE", `/api/v1/templates/${nul}`, "admin"],
    ["GET /assessments?cursor", "GET", `/api/v1/assessments?cursor=${nul}`, "user"],
    ["GET /conversations?cursor", "GET", `/api/v1/conversations?cursor=${nul}`, "user"],
  ] as const)("%s is 400 validation_failed", async (_, method, path, who) => {
    const token = who === "admin" ? admin.accessToken : who === "user" ? alice.accessToken : undefined;
    const body = method === "PUT" ? { ...template("x", "title"), slug: undefined, title: "T" } : undefined;
    const res = await call<ErrorBody>(method, path, { ...(token && { token }), ...(body && { body }) });

    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
  });
});

/** A cursor as the lists issue them (worker/http/cursor.ts), but naming an instant that does not exist. */
function cursorAt(timestamp: string): string {
  return btoa(JSON.stringify([timestamp, "01937f2e-7a9b-7c3d-8e4f-5a6b7c8d9e0f"])).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

describe("cursors naming impossible instants", () => {
  const impossible = {
    "the 30th of February": "2026-02-30T00:00:00.000000Z",
    "month 13": "2026-13-01T00:00:00.000000Z",
    "hour 24": "2026-01-01T24:00:00.000000Z",
    "minute 60": "2026-01-01T23:60:00.000000Z",
    "year 0": "0000-01-01T00:00:00.000000Z",
  };
  const lists = () => [
    ["GET /assessments", "/api/v1/assessments"],
    ["GET /conversations", "/api/v1/conversations"],
    ["GET /conversations/:id/messages", `/api/v1/conversations/${conversationId}/messages`],
  ];

  it.each(Object.entries(impossible))("%s is 400 validation_failed at cursor on every list", async (_, timestamp) => {
    for (const [route, path] of lists()) {
      const res = await call<ErrorBody>("GET", `${path}?cursor=${cursorAt(timestamp)}`, { token: alice.accessToken });

      expect(res.status, route).toBe(400);
      expect(res.body.error.code, route).toBe("validation_failed");
      expect(res.body.error.details?.map((d) => d.path), route).toEqual(["cursor"]);
    }
  });

  it("still accepts a well-formed cursor for a real instant (leap day included)", async () => {
    for (const [route, path] of lists()) {
      const res = await call("GET", `${path}?cursor=${cursorAt("2024-02-29T23:59:59.999999Z")}`, { token: alice.accessToken });
      expect(res.status, route).toBe(200);
    }
  });
});
