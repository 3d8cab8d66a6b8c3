/**
 * The alert-webhook stand-in: accepts JSON posts at `/hooks/<scope>` (ALERT_WEBHOOK_URL points
 * there), counts them per scope and keeps their bodies, readable at `/__control/posts?scope=`.
 * Faults (latency, failing statuses, "down") apply as on every stand-in.
 */
import type { WebhookCount } from "../control.ts";
import { handleControl } from "../http/control-routes.ts";
import { ScopedCounters } from "../http/counters.ts";
import { FaultTable } from "../http/faults.ts";
import { readJson, sendJson, serve } from "../http/server.ts";

export interface WebhookStandIn {
  url: string;
  close(): Promise<void>;
}

const COUNTS: readonly WebhookCount[] = ["post"];
const HOOK = /^\/hooks\/([^/]+)$/;

export async function startWebhookStandIn(options: { port?: number } = {}): Promise<WebhookStandIn> {
  const controls = { counters: new ScopedCounters(COUNTS), faults: new FaultTable() };
  const posts = new Map<string, unknown[]>();

  const server = await serve(options.port ?? 0, async (req, res, url) => {
    if (req.method === "GET" && url.pathname === "/__control/posts") {
      const scope = url.searchParams.get("scope") ?? "";
      sendJson(res, 200, posts.get(scope) ?? []);
      return;
    }
    if (req.method === "POST" && url.pathname === "/__control/reset") {
      const scope = url.searchParams.get("scope");
      if (scope === null) posts.clear();
      else posts.delete(scope);
    }
    if (await handleControl(req, res, url, controls)) return;
    const scope = HOOK.exec(url.pathname)?.[1];
    if (req.method !== "POST" || scope === undefined) {
      sendJson(res, 404, { error: `no route ${req.method ?? ""} ${url.pathname}` });
      return;
    }
    const body = await readJson(req).catch(() => undefined);
    controls.counters.add(scope, "post");
    if (await controls.faults.apply(scope, req, res, (status) => ({ error: `injected fault: HTTP ${status}` }))) return;
    posts.set(scope, [...(posts.get(scope) ?? []), body]);
    sendJson(res, 200, { ok: true });
  });

  return { url: server.origin, close: () => server.close() };
}
