/**
 * A deleted account's access token (still within its 15 minutes) is 401 on every route (API.md),
 * and DELETE /me never claims a deletion that did not happen.
 */
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../config.ts";
import { users } from "../db/schema.ts";
import type { ErrorBody } from "../errors.ts";
import type { Db } from "../platform/db.ts";
import { servicesFor } from "../platform/services.ts";
import { call } from "../testing/http.ts";
import { registerAdmin, registerUser, testDb, type RegisteredUser } from "../testing/users.ts";
import { hashPassword } from "./passwords.ts";
import { deleteAccount } from "./service.ts";

const MADE_UP_JOB = "01937f2e-7a9b-7c3d-8e4f-5a6b7c8d9e0f";

interface Owned {
  assessmentId: string;
  conversationId: string;
}

async function arrange(user: RegisteredUser): Promise<Owned> {
  const [assessment, conversation] = await Promise.all([
    call<{ id: string }>("POST", "/api/v1/assessments", { token: user.accessToken, body: { templateSlug: "who-5" } }),
    call<{ id: string }>("POST", "/api/v1/conversations", { token: user.accessToken, body: { title: "Mine" } }),
  ]);
  return { assessmentId: assessment.body.id, conversationId: conversation.body.id };
}

/** Every (auth) route, with the ids the user owned before the deletion. */
function everyAuthRoute(user: RegisteredUser, owned: Owned): [string, string, unknown][] {
  const a = `/api/v1/assessments/${owned.assessmentId}`;
  const c = `/api/v1/conversations/${owned.conversationId}`;
  return [
    ["GET", "/api/v1/me", undefined],
    ["PATCH", "/api/v1/me", { displayName: "Ghost" }],
    ["DELETE", "/api/v1/me", { password: user.password }],
    ["GET", "/api/v1/assessments", undefined],
    ["POST", "/api/v1/assessments", { templateSlug: "who-5" }],
    ["GET", a, undefined],
    ["PUT", `${a}/answers`, { answers: { q1: 3 } }],
    ["POST", `${a}/submit`, undefined],
    ["DELETE", a, undefined],
    ["GET", "/api/v1/conversations", undefined],
    ["POST", "/api/v1/conversations", { title: "Ghost" }],
    ["GET", c, undefined],
    ["GET", `${c}/messages`, undefined],
    ["POST", `${c}/messages`, { content: "Anyone there?" }],
    ["DELETE", c, undefined],
    ["GET", `/api/v1/jobs/${MADE_UP_JOB}`, undefined],
    ["GET", `/api/v1/jobs/${MADE_UP_JOB}/events`, undefined],
  ];
}

describe("a deleted account's access token", () => {
  let ghost: RegisteredUser;
  let owned: Owned;
  beforeAll(async () => {
    ghost = await registerUser();
    owned = await arrange(ghost);
    expect((await call("DELETE", "/api/v1/me", { token: ghost.accessToken, body: { password: ghost.password } })).status).toBe(204);
  });

  it("is 401 unauthorized on every (auth) route", async () => {
    for (const [method, path, body] of everyAuthRoute(ghost, owned)) {
      const res = await call<ErrorBody>(method, path, { token: ghost.accessToken, ...(body !== undefined && { body }) });

      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.body.error.code, `${method} ${path}`).toBe("unauthorized");
    }
  });

  it("is 401 on the admin routes too, for a deleted admin", async () => {
    const admin = await registerAdmin();
    await call("DELETE", "/api/v1/me", { token: admin.accessToken, body: { password: admin.password } });

    for (const [method, path] of [
      ["POST", "/api/v1/templates"],
      ["PUT", "/api/v1/templates/who-5"],
      ["DELETE", "/api/v1/templates/no-such-template"],
    ] as const) {
      const res = await call<ErrorBody>(method, path, { token: admin.accessToken, ...(method !== "DELETE" && { body: { title: "x" } }) });
      expect(res.status, `${method} ${path}`).toBe(401);
    }
  });

  it("is 401, not a 500, when the account vanished without DELETE /me (a write fails on its user foreign key)", async () => {
    const gone = await registerUser();
    await testDb().delete(users).where(eq(users.id, gone.user.id));

    for (const [path, body] of [
      ["/api/v1/conversations", { title: "Orphan" }],
      ["/api/v1/assessments", { templateSlug: "who-5" }],
    ] as const) {
      const res = await call<ErrorBody>("POST", path, { token: gone.accessToken, body });
      expect(res.status, path).toBe(401);
      expect(res.body.error.code, path).toBe("unauthorized");
    }
  });
});

describe("DELETE /api/v1/me", () => {
  it.each([
    ["PATCH", { displayName: "Nobody" }],
    ["DELETE", { password: "whatever it is" }],
  ] as const)("%s answers 401 without a token", async (method, body) => {
    const res = await call<ErrorBody>(method, "/api/v1/me", { body });

    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("unauthorized");
  });

  it("answers 409 and deletes nothing when the password changes between the check and the delete", async () => {
    const alice = await registerUser();
    const services = servicesFor(env as unknown as Env);
    const changedMeanwhile = await hashPassword(services.config, "a brand new passphrase 99");
    // The real database; the password change of a concurrent request lands just before the delete's batch.
    const primary = new Proxy(services.db.primary, {
      get(target, name, receiver) {
        if (name !== "batch") return Reflect.get(target, name, receiver) as unknown;
        return async (...args: Parameters<Db["batch"]>) => {
          await target.update(users).set({ passwordHash: changedMeanwhile }).where(eq(users.id, alice.user.id));
          return target.batch(...args);
        };
      },
    });

    await expect(deleteAccount({ ...services, db: { ...services.db, primary } }, alice.user.id, alice.password)).rejects.toMatchObject({
      code: "conflict",
    });
    expect(await testDb().select({ id: users.id }).from(users).where(eq(users.id, alice.user.id))).toHaveLength(1);
  });
});
