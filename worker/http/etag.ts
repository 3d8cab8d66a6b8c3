/**
 * HTTP caching for GET responses: a strong `ETag` over the exact body bytes, `If-None-Match`
 * answered with 304 and no body, and the `Cache-Control` policy of API.md (per-user data is never
 * `public`).
 */
import type { Context } from "hono";
import { toBase64Url } from "../platform/bytes.ts";

export const cacheControl = {
  /** Per-user data: browsers may keep it but must revalidate (ETag) before every use. */
  private: "private, no-cache",
  /** Public reference data. */
  public: (maxAgeSeconds: number) => `public, max-age=${maxAgeSeconds}`,
} as const;

const encoder = new TextEncoder();

/**
 * A strong entity tag: the first 144 bits of the body's SHA-256, quoted.
 *
 * @example
 * await strongEtag('{"items":[]}') // '"q1Yx..."'
 */
export async function strongEtag(body: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(body));
  return `"${toBase64Url(new Uint8Array(digest, 0, 18))}"`;
}

/**
 * True when an `If-None-Match` header matches `etag`. RFC 9110 uses the weak comparison here, so
 * `W/"x"` matches `"x"`; `*` matches any current representation.
 */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  if (header.trim() === "*") return true;
  const wanted = opaque(etag);
  return header.split(",").some((tag) => opaque(tag) === wanted);
}

export interface CachedBody {
  /** The JSON text, exactly as sent. */
  body: string;
  etag: string;
}

/** Serialises `data` once and tags it, so the tag always describes the bytes on the wire. */
export async function taggedJson(data: unknown): Promise<CachedBody> {
  const body = JSON.stringify(data);
  return { body, etag: await strongEtag(body) };
}

/**
 * Answers a GET with a tagged JSON body, or 304 (same `ETag` and `Cache-Control`, no body) when the
 * client already holds it.
 *
 * @example
 * return sendTagged(c, await taggedJson(user), cacheControl.private);
 */
export function sendTagged(c: Context, tagged: CachedBody, policy: string): Response {
  c.header("ETag", tagged.etag);
  c.header("Cache-Control", policy);
  if (ifNoneMatchHits(c.req.header("if-none-match"), tagged.etag)) return c.body(null, 304);
  c.header("Content-Type", "application/json; charset=utf-8");
  return c.body(tagged.body, 200);
}

/** `taggedJson` + `sendTagged` for a value computed now. */
export async function sendJsonWithEtag(c: Context, data: unknown, policy: string): Promise<Response> {
  return sendTagged(c, await taggedJson(data), policy);
}
