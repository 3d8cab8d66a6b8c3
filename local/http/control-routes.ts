/**
 * `/__control/` endpoints, identical on every stand-in (the client is ../control.ts). They are
 * served before any fault is applied, so they keep working while a scope is "down".
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ScopedCounters } from "./counters.ts";
import { parseFault, type FaultTable } from "./faults.ts";
import { readJson, sendJson } from "./server.ts";

export interface Controls<K extends string> {
  counters: ScopedCounters<K>;
  faults: FaultTable;
}

/** Answers a control request and returns true, or returns false when `url` is not a control path. */
export async function handleControl<K extends string>(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  controls: Controls<K>,
): Promise<boolean> {
  if (!url.pathname.startsWith("/__control/")) return false;
  const route = `${req.method ?? "GET"} ${url.pathname.slice("/__control/".length)}`;
  const scope = url.searchParams.has("scope") ? (url.searchParams.get("scope") ?? "") : undefined;
  switch (route) {
    case "GET counts":
      sendJson(res, 200, controls.counters.snapshot(scope));
      return true;
    case "GET in-flight":
      sendJson(res, 200, { inFlight: controls.counters.inFlight(scope) });
      return true;
    case "POST reset":
      controls.counters.reset(scope);
      sendJson(res, 200, { ok: true });
      return true;
    case "GET faults":
      sendJson(res, 200, controls.faults.list());
      return true;
    case "POST faults": {
      const fault = parseFault(await readJson(req));
      if (typeof fault === "string") sendJson(res, 400, { error: fault });
      else {
        controls.faults.set(fault);
        sendJson(res, 200, { ok: true });
      }
      return true;
    }
    case "DELETE faults":
      controls.faults.clear(scope);
      sendJson(res, 200, { ok: true });
      return true;
    default:
      sendJson(res, 404, { error: `unknown control route: ${route}` });
      return true;
  }
}
