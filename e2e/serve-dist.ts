/**
 * Serves the production build (web/dist) the way Cloudflare Pages will: the `_headers` rules,
 * the single-page-application fallback (index.html for any path that is not a file), and /api/*
 * on the same origin, passed to the Worker (in production a Worker route does this).
 *
 *   node e2e/serve-dist.ts            # http://127.0.0.1:4173, API at http://127.0.0.1:8787
 */
import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
  ".map": "application/json",
  ".txt": "text/plain; charset=utf-8",
};

interface HeaderRule {
  pattern: RegExp;
  headers: [string, string][];
}

/** Parses Pages' `_headers`: a path pattern (with `*` splats), then indented `Name: value` lines. */
export function parseHeaders(text: string): HeaderRule[] {
  const rules: HeaderRule[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "" || line.trim().startsWith("#")) continue;
    if (!/^\s/.test(line)) {
      const source = line.trim().replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
      rules.push({ pattern: new RegExp(`^${source}$`), headers: [] });
      continue;
    }
    const colon = line.indexOf(":");
    rules.at(-1)?.headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return rules;
}

/** Passes a request on to `upstream` (same path), answering 502 when it is down. */
function proxy(req: IncomingMessage, res: ServerResponse, upstream: URL): void {
  const forwarded = request(
    { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  forwarded.on("error", () => {
    res.writeHead(502).end();
  });
  req.pipe(forwarded);
}

/**
 * `turnstile`: the Turnstile stand-in, whose widget script an e2e build (`--mode e2e`) loads from
 * this origin at /turnstile/v0/api.js, so the production CSP (scripts from 'self' and Cloudflare's
 * challenge origin only) holds in the test too.
 */
export function serveDist(options: { port: number; api: string; turnstile?: string; dist?: string }): Promise<Server> {
  const dist = options.dist ?? fileURLToPath(new URL("../web/dist/", import.meta.url));
  const headersFile = join(dist, "_headers");
  const rules = existsSync(headersFile) ? parseHeaders(readFileSync(headersFile, "utf8")) : [];
  const api = new URL(options.api);
  const turnstile = options.turnstile ? new URL(options.turnstile) : undefined;

  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://local").pathname);
    if (path.startsWith("/api/")) return proxy(req, res, api);
    if (turnstile && path.startsWith("/turnstile/")) return proxy(req, res, turnstile);
    let file = normalize(join(dist, path));
    if (!file.startsWith(dist) || !existsSync(file) || statSync(file).isDirectory()) file = join(dist, "index.html");
    const merged = new Map<string, string>();
    for (const rule of rules) {
      if (!rule.pattern.test(path)) continue;
      for (const [name, value] of rule.headers) merged.set(name, merged.has(name) ? `${merged.get(name)}, ${value}` : value);
    }
    res.writeHead(200, { "Content-Type": types[extname(file)] ?? "application/octet-stream", ...Object.fromEntries(merged) });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(options.port, "127.0.0.1", () => resolve(server)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.PORT ?? 4173);
  await serveDist({ port, api: process.env.API_URL ?? "http://127.0.0.1:8787", turnstile: process.env.TURNSTILE_URL ?? "http://127.0.0.1:4447" });
  console.log(`web/dist on http://127.0.0.1:${port} (/api -> ${process.env.API_URL ?? "http://127.0.0.1:8787"})`);
}
