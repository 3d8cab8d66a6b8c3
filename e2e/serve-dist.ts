/**
 * Serves the production build (web/dist) the way Cloudflare Pages will: the `_headers` rules,
 * the single-page-application fallback (index.html for any path that is not a file), text assets
 * compressed as the browser accepts (Brotli, else gzip; `Vary: Accept-Encoding`), and /api/* on
 * the same origin, passed to the Worker (in production a Worker route does this).
 *
 *   node e2e/serve-dist.ts            # http://127.0.0.1:4173, API at http://127.0.0.1:8787
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

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

/** What Pages compresses: text, not images that are compressed already. */
const COMPRESSIBLE = new Set([".html", ".js", ".css", ".svg", ".json", ".map", ".txt"]);

type Encoding = "br" | "gzip" | "identity";

/** The best encoding `accept` (an Accept-Encoding header) allows; q=0 refuses one. */
export function negotiateEncoding(accept: string | undefined): Encoding {
  const offered = new Map<string, number>();
  for (const part of (accept ?? "").split(",")) {
    const [name = "", ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find((v) => v !== undefined);
    if (name) offered.set(name, q === undefined ? 1 : Number(q));
  }
  const allows = (name: string) => (offered.get(name) ?? offered.get("*") ?? 0) > 0;
  if (allows("br")) return "br";
  if (allows("gzip")) return "gzip";
  return "identity";
}

const compressed = new Map<string, Buffer>();

/** The file's bytes in `encoding`, compressed once per file and encoding (the build does not change while served). */
function bodyOf(file: string, encoding: Encoding): Buffer {
  const key = `${encoding}:${file}`;
  let body = compressed.get(key);
  if (!body) {
    const raw = readFileSync(file);
    body =
      encoding === "br"
        ? brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } })
        : encoding === "gzip"
          ? gzipSync(raw, { level: 9 })
          : raw;
    compressed.set(key, body);
  }
  return body;
}

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
 * challenge origin only) holds in the test too. `compress: false` serves every file as stored (the
 * "before" of docs/BENCHMARKS.md's SPA load).
 */
export function serveDist(options: { port: number; api: string; turnstile?: string; dist?: string; compress?: boolean }): Promise<Server> {
  const dist = options.dist ?? fileURLToPath(new URL("../web/dist/", import.meta.url));
  const headersFile = join(dist, "_headers");
  const rules = existsSync(headersFile) ? parseHeaders(readFileSync(headersFile, "utf8")) : [];
  const api = new URL(options.api);
  // Pages stores assets compressed: compress everything up front, so no request waits on Brotli.
  if (options.compress !== false) {
    for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
      const file = join(entry.parentPath, entry.name);
      if (entry.isFile() && COMPRESSIBLE.has(extname(file))) for (const encoding of ["br", "gzip"] as const) bodyOf(file, encoding);
    }
  }
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
    const compressible = options.compress !== false && COMPRESSIBLE.has(extname(file));
    const encoding = compressible ? negotiateEncoding(req.headers["accept-encoding"]) : "identity";
    const body = bodyOf(file, encoding);
    res.writeHead(200, {
      "Content-Type": types[extname(file)] ?? "application/octet-stream",
      "Content-Length": String(body.length),
      ...(compressible ? { Vary: "Accept-Encoding" } : {}),
      ...(encoding === "identity" ? {} : { "Content-Encoding": encoding }),
      ...Object.fromEntries(merged),
    });
    res.end(req.method === "HEAD" ? undefined : body);
  });
  return new Promise((resolve) => server.listen(options.port, "127.0.0.1", () => resolve(server)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.PORT ?? 4173);
  await serveDist({
    port,
    api: process.env.API_URL ?? "http://127.0.0.1:8787",
    turnstile: process.env.TURNSTILE_URL ?? "http://127.0.0.1:4448",
    dist: process.env.DIST,
    compress: process.env.COMPRESS !== "false",
  });
  console.log(`web/dist on http://127.0.0.1:${port} (/api -> ${process.env.API_URL ?? "http://127.0.0.1:8787"})`);
}
