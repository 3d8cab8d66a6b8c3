/**
 * The typed API client: openapi-fetch over the generated `paths`, sending every request through
 * the session (token, silent refresh). `unwrap` turns any failure into an ApiRequestError.
 */
import createClient from "openapi-fetch";
import { errorFromResponse, networkError } from "./errors.ts";
import type { paths } from "./schema";
import { type SessionChannel, SessionStore } from "./session.ts";

const origin = globalThis.location?.origin ?? "http://localhost";

function browserChannel(): SessionChannel | null {
  return typeof BroadcastChannel === "undefined" ? null : new BroadcastChannel("assay-session");
}

function browserLock<T>(task: () => Promise<T>): Promise<T> {
  const locks = globalThis.navigator?.locks;
  return locks ? locks.request("assay-refresh", task) : task();
}

export const session = new SessionStore({
  fetch: (request) => fetch(request),
  origin,
  channel: browserChannel(),
  lock: browserLock,
});

export const api = createClient<paths>({ baseUrl: origin, fetch: session.authFetch });

type Result<T> = { data?: T; error?: unknown; response: Response };

/**
 * Awaits an openapi-fetch call and returns its data, or throws the ApiRequestError the screens
 * render (the contract's error body, `Retry-After`, or a network failure).
 */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await call;
  } catch (err) {
    throw networkError(err);
  }
  if (!result.response.ok) throw errorFromResponse(result.response, result.error);
  return result.data as T;
}
