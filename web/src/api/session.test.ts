import { describe, expect, it, vi } from "vitest";
import { type SessionChannel, type SessionMessage, SessionStore } from "./session.ts";
import type { Session } from "./types.ts";

const origin = "http://app.test";
const user = { id: "u1", email: "ada@example.com", displayName: "Ada", role: "user" as const, createdAt: "2026-01-01T00:00:00Z" };

function sessionBody(token: string, expiresInMs = 15 * 60_000): Session {
  return {
    user,
    accessToken: token,
    accessTokenExpiresAt: new Date(Date.now() + expiresInMs).toISOString(),
    refreshToken: "opaque",
    refreshTokenExpiresAt: new Date(Date.now() + 86_400_000).toISOString(),
  };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

/** A fake API: /auth/refresh hands out token-N; /me answers 200 only for the current token. */
function fakeApi(options: { refreshStatus?: number; refreshDelayMs?: number } = {}) {
  let issued = 0;
  let current = "token-0";
  const calls: string[] = [];
  const fetch = vi.fn(async (request: Request) => {
    const path = new URL(request.url).pathname;
    calls.push(`${request.method} ${path}`);
    if (path === "/api/v1/auth/refresh") {
      if (options.refreshDelayMs) await new Promise((r) => setTimeout(r, options.refreshDelayMs));
      if (options.refreshStatus && options.refreshStatus !== 200) return json(options.refreshStatus, { error: { code: "unauthorized", message: "no", requestId: "r" } });
      issued += 1;
      current = `token-${issued}`;
      return json(200, sessionBody(current));
    }
    if (path === "/api/v1/auth/logout") return new Response(null, { status: 204 });
    if (path === "/api/v1/auth/login") return json(401, { error: { code: "unauthorized", message: "Wrong email or password", requestId: "r" } });
    const auth = request.headers.get("Authorization");
    if (auth !== `Bearer ${current}`) return json(401, { error: { code: "unauthorized", message: "expired", requestId: "r" } });
    return json(200, { ok: true, body: request.method === "PUT" ? await request.text() : null });
  });
  return { fetch, calls, expire: () => (current = "rotated-elsewhere") };
}

function fakeChannel() {
  const sent: SessionMessage[] = [];
  let listener: ((event: MessageEvent<SessionMessage>) => void) | null = null;
  const channel: SessionChannel = {
    postMessage: (m) => sent.push(m),
    addEventListener: (_type, l) => (listener = l),
  };
  return { channel, sent, receive: (m: SessionMessage) => listener?.({ data: m } as MessageEvent<SessionMessage>) };
}

const get = (path: string, init?: RequestInit) => new Request(new URL(path, origin), init);

describe("SessionStore", () => {
  it("restores a session from the refresh cookie on start-up", async () => {
    const api = fakeApi();
    const store = new SessionStore({ fetch: api.fetch, origin });
    await store.restore();
    expect(store.getState()).toEqual({ status: "signed_in", user });
    expect(api.calls).toEqual(["POST /api/v1/auth/refresh"]);
  });

  it("starts signed out, without broadcasting, when there is no refresh cookie", async () => {
    const api = fakeApi({ refreshStatus: 401 });
    const { channel, sent } = fakeChannel();
    const store = new SessionStore({ fetch: api.fetch, origin, channel });
    await store.restore();
    expect(store.getState()).toEqual({ status: "signed_out", reason: null });
    expect(sent).toEqual([]);
  });

  it("says the API is unreachable when start-up cannot reach it", async () => {
    const store = new SessionStore({ fetch: () => Promise.reject(new TypeError("Failed to fetch")), origin });
    await store.restore();
    expect(store.getState()).toEqual({ status: "unreachable" });
  });

  it("sends the access token from memory as a Bearer header", async () => {
    const api = fakeApi();
    const store = new SessionStore({ fetch: api.fetch, origin });
    await store.restore();
    const response = await store.authFetch(get("/api/v1/me"));
    expect(response.status).toBe(200);
    expect(api.fetch.mock.calls.at(-1)?.[0].headers.get("Authorization")).toBe("Bearer token-1");
  });

  it("refreshes once for many requests that meet an expired token (single flight) and replays each", async () => {
    const api = fakeApi({ refreshDelayMs: 20 });
    const store = new SessionStore({ fetch: api.fetch, origin });
    await store.restore();
    api.expire();
    const responses = await Promise.all([1, 2, 3, 4, 5].map(() => store.authFetch(get("/api/v1/me"))));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(api.calls.filter((c) => c === "POST /api/v1/auth/refresh")).toHaveLength(2); // start-up + one
  });

  it("replays a request's body after the refresh", async () => {
    const api = fakeApi();
    const store = new SessionStore({ fetch: api.fetch, origin });
    await store.restore();
    api.expire();
    const response = await store.authFetch(get("/api/v1/assessments/a/answers", { method: "PUT", body: '{"answers":{"q1":3}}' }));
    expect(await response.json()).toEqual({ ok: true, body: '{"answers":{"q1":3}}' });
  });

  it("refreshes before sending when the token is about to expire", async () => {
    const api = fakeApi();
    let now = Date.now();
    const store = new SessionStore({ fetch: api.fetch, origin, now: () => now });
    await store.restore();
    now += 15 * 60_000 - 10_000; // 10 s before expiry
    await store.authFetch(get("/api/v1/me"));
    expect(api.calls).toEqual(["POST /api/v1/auth/refresh", "POST /api/v1/auth/refresh", "GET /api/v1/me"]);
  });

  it("signs every tab out when a refresh is refused after we had a session (family revoked)", async () => {
    const api = fakeApi();
    const { channel, sent } = fakeChannel();
    const store = new SessionStore({ fetch: api.fetch, origin, channel });
    await store.restore();
    api.fetch.mockImplementation(async (request: Request) =>
      new URL(request.url).pathname === "/api/v1/auth/refresh"
        ? json(401, { error: { code: "unauthorized", message: "reused", requestId: "r" } })
        : json(401, { error: { code: "unauthorized", message: "expired", requestId: "r" } }),
    );
    const response = await store.authFetch(get("/api/v1/me"));
    expect(response.status).toBe(401);
    expect(store.getState()).toEqual({ status: "signed_out", reason: "session_ended" });
    expect(sent).toEqual([{ type: "signed_out", reason: "session_ended" }]);
  });

  it("signs out when another tab says so", async () => {
    const api = fakeApi();
    const { channel, receive } = fakeChannel();
    const store = new SessionStore({ fetch: api.fetch, origin, channel });
    await store.restore();
    receive({ type: "signed_out", reason: "signed_out" });
    expect(store.getState()).toEqual({ status: "signed_out", reason: "signed_out" });
    const response = await store.authFetch(get("/api/v1/me"));
    expect(response.headers.get("Authorization")).toBeNull();
    expect(api.fetch.mock.calls.at(-1)?.[0].headers.get("Authorization")).toBeNull();
  });

  it("passes auth routes through: a wrong password is not a reason to refresh", async () => {
    const api = fakeApi();
    const store = new SessionStore({ fetch: api.fetch, origin });
    await store.restore();
    const response = await store.authFetch(get("/api/v1/auth/login", { method: "POST", body: "{}" }));
    expect(response.status).toBe(401);
    expect(api.calls).toEqual(["POST /api/v1/auth/refresh", "POST /api/v1/auth/login"]);
    expect(store.getState().status).toBe("signed_in");
  });

  it("logs out: revokes the family on the server and tells the other tabs", async () => {
    const api = fakeApi();
    const { channel, sent } = fakeChannel();
    const store = new SessionStore({ fetch: api.fetch, origin, channel });
    await store.restore();
    await store.signOut();
    expect(api.calls.at(-1)).toBe("POST /api/v1/auth/logout");
    expect(store.getState()).toEqual({ status: "signed_out", reason: "signed_out" });
    expect(sent).toEqual([{ type: "signed_out", reason: "signed_out" }]);
  });

  it("keeps the session when a refresh meets a network failure", async () => {
    const api = fakeApi();
    const store = new SessionStore({ fetch: api.fetch, origin });
    await store.restore();
    api.fetch.mockRejectedValueOnce(new TypeError("Failed to fetch"));
    await expect(store.refresh()).rejects.toMatchObject({ code: "network" });
    expect(store.getState().status).toBe("signed_in");
  });

  it("runs refreshes inside the cross-tab lock", async () => {
    const api = fakeApi();
    let locked = 0;
    const lock = <T,>(task: () => Promise<T>): Promise<T> => {
      locked += 1;
      return task();
    };
    const store = new SessionStore({ fetch: api.fetch, origin, lock });
    await store.restore();
    expect(locked).toBe(1);
  });
});
