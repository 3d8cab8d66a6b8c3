/**
 * The signed-in session. The access token lives in this object's memory only; the refresh token
 * is the HttpOnly cookie the API sets, spent by POST /auth/refresh (no body). Refreshes are
 * single-flight: any number of requests that meet an expired token share one refresh. When a
 * refresh is refused after we had a session (the token family was revoked, e.g. on reuse
 * detection), every open tab signs out.
 */
import { errorFromResponse, networkError } from "./errors.ts";
import type { Session, User } from "./types.ts";

export type SignOutReason = "signed_out" | "session_ended" | "account_deleted";

export type SessionState =
  | { status: "restoring" }
  | { status: "unreachable" }
  | { status: "signed_in"; user: User }
  | { status: "signed_out"; reason: SignOutReason | null };

/** What tabs tell each other. Tokens never travel: each tab refreshes with the shared cookie. */
export type SessionMessage = { type: "signed_out"; reason: SignOutReason };

export interface SessionChannel {
  postMessage(message: SessionMessage): void;
  addEventListener(type: "message", listener: (event: MessageEvent<SessionMessage>) => void): void;
}

export interface SessionDeps {
  fetch: (request: Request) => Promise<Response>;
  origin: string;
  now?: () => number;
  /** Cross-tab sign-out; BroadcastChannel in the browser. */
  channel?: SessionChannel | null;
  /** Serialises refreshes across tabs (Web Locks) so two tabs never spend the same cookie. */
  lock?: <T>(task: () => Promise<T>) => Promise<T>;
}

/** Refresh this long before the access token expires rather than wait for a 401. */
export const REFRESH_MARGIN_MS = 30_000;
const AUTH_PREFIX = "/api/v1/auth/";

export class SessionStore {
  private state: SessionState = { status: "restoring" };
  private accessToken: string | null = null;
  private expiresAt = 0;
  private refreshing: Promise<boolean> | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly deps: Required<Omit<SessionDeps, "channel">> & { channel: SessionChannel | null };

  constructor(deps: SessionDeps) {
    this.deps = {
      fetch: deps.fetch,
      origin: deps.origin,
      now: deps.now ?? Date.now,
      channel: deps.channel ?? null,
      lock: deps.lock ?? ((task) => task()),
    };
    this.deps.channel?.addEventListener("message", (event) => {
      if (event.data.type === "signed_out") this.end(event.data.reason, false);
    });
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getState = (): SessionState => this.state;

  /** On start-up: a valid refresh cookie signs us in without a password. */
  async restore(): Promise<void> {
    this.setState({ status: "restoring" });
    try {
      await this.refresh();
    } catch {
      this.setState({ status: "unreachable" });
    }
  }

  /** Adopts the Session that login, register or refresh returned. */
  signIn(session: Session): void {
    this.accessToken = session.accessToken;
    this.expiresAt = Date.parse(session.accessTokenExpiresAt);
    this.setState({ status: "signed_in", user: session.user });
  }

  updateUser(user: User): void {
    if (this.state.status === "signed_in") this.setState({ status: "signed_in", user });
  }

  /** Revokes this login's refresh family on the server (best effort) and signs every tab out. */
  async signOut(reason: SignOutReason = "signed_out"): Promise<void> {
    try {
      await this.deps.fetch(this.request("/api/v1/auth/logout", { method: "POST", credentials: "include" }));
    } catch {
      // Offline: the cookie stays, but this browser forgets the session all the same.
    }
    this.end(reason, true);
  }

  /** Signs out locally without calling the API (the account is gone, the family already revoked). */
  forget(reason: SignOutReason): void {
    this.end(reason, true);
  }

  /**
   * Exchanges the refresh cookie for a new session. Concurrent callers share one request.
   * Resolves false when the API refuses (signed out); throws when the API could not be asked.
   */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.deps.lock(() => this.exchangeCookie()).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /**
   * fetch() for the API client: adds the access token, refreshes it when it is about to expire,
   * and on a 401 refreshes once and replays the request. Auth routes pass through untouched.
   */
  authFetch = async (request: Request): Promise<Response> => {
    if (new URL(request.url).pathname.startsWith(AUTH_PREFIX)) return this.send(request, null);
    const replay = request.clone();
    if (this.accessToken !== null && this.expiresAt - this.deps.now() < REFRESH_MARGIN_MS) {
      await this.refresh().catch(() => false);
    }
    const token = this.accessToken;
    const response = await this.send(request, token);
    if (response.status !== 401 || (token === null && this.state.status !== "signed_in")) return response;
    if (this.accessToken !== null && this.accessToken !== token) return this.send(replay, this.accessToken);
    const refreshed = await this.refresh().catch(() => false);
    if (!refreshed || this.accessToken === null) return response;
    return this.send(replay, this.accessToken);
  };

  private async send(request: Request, token: string | null): Promise<Response> {
    const headers = new Headers(request.headers);
    if (token !== null) headers.set("Authorization", `Bearer ${token}`);
    try {
      return await this.deps.fetch(new Request(request, { headers }));
    } catch (err) {
      throw networkError(err);
    }
  }

  private async exchangeCookie(): Promise<boolean> {
    const hadSession = this.state.status === "signed_in";
    let response: Response;
    try {
      response = await this.deps.fetch(this.request("/api/v1/auth/refresh", { method: "POST", credentials: "include" }));
    } catch (err) {
      throw networkError(err);
    }
    if (response.ok) {
      this.signIn((await response.json()) as Session);
      return true;
    }
    if (response.status === 401 || response.status === 403) {
      this.end(hadSession ? "session_ended" : null, hadSession);
      return false;
    }
    throw errorFromResponse(response, await response.json().catch(() => null));
  }

  private request(path: string, init: RequestInit): Request {
    return new Request(new URL(path, this.deps.origin), init);
  }

  private end(reason: SignOutReason | null, broadcast: boolean): void {
    this.accessToken = null;
    this.expiresAt = 0;
    this.setState({ status: "signed_out", reason });
    if (broadcast && reason !== null) this.deps.channel?.postMessage({ type: "signed_out", reason });
  }

  private setState(state: SessionState): void {
    this.state = state;
    for (const listener of this.listeners) listener();
  }
}
