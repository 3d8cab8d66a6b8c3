/**
 * `/api/docs`: the interactive API reference. Its one external script is pinned to an exact
 * version with Subresource Integrity (./api-reference.pin.ts, `npm run gen:docs`), and the page's
 * Content-Security-Policy allows that script, the inline call that starts it, and this origin for
 * the OpenAPI document: nothing else. The page shares an origin with the refresh cookie (HttpOnly,
 * Path=/api/v1/auth), so a swapped script must not run. API_DOCS switches it off (the production
 * default): 404.
 */
import type { Context } from "hono";
import type { AppEnv } from "../context.ts";
import { ApiError } from "../errors.ts";
import { apiReferenceScript } from "./api-reference.pin.ts";

const START = `Scalar.createApiReference("#app", { url: "/api/openapi.json", withDefaultFonts: false, hideClientButton: true });`;

let startHash: Promise<string> | undefined;

/** The CSP hash of the inline starter, computed once per isolate. */
function hashOfStart(): Promise<string> {
  startHash ??= crypto.subtle.digest("SHA-256", new TextEncoder().encode(START)).then((digest) => {
    let binary = "";
    for (const byte of new Uint8Array(digest)) binary += String.fromCharCode(byte);
    return `'sha256-${btoa(binary)}'`;
  });
  return startHash;
}

export async function docsCsp(): Promise<string> {
  return [
    "default-src 'none'",
    `script-src ${apiReferenceScript.url} ${await hashOfStart()}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src blob:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** GET /api/docs */
export async function apiDocsPage(c: Context<AppEnv>): Promise<Response> {
  if (!c.get("services").config.API_DOCS) throw new ApiError("not_found", `No route for ${c.req.method} ${c.req.path}`);
  c.header("Content-Security-Policy", await docsCsp());
  c.header("Cache-Control", "no-cache");
  return c.html(`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Assay API reference</title>
  </head>
  <body>
    <div id="app"></div>
    <script src="${apiReferenceScript.url}" integrity="${apiReferenceScript.integrity}" crossorigin="anonymous"></script>
    <script>${START}</script>
  </body>
</html>
`);
}
