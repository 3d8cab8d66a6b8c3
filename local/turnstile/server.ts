/**
 * The Turnstile stand-in: Cloudflare's siteverify endpoint, honouring the documented test secrets,
 * and a small widget script in place of `challenges.cloudflare.com/turnstile/v0/api.js` (which
 * these machines cannot reach). Scope = the secret key.
 * Cloudflare's test keys (./test-keys.ts) behave as documented; any other secret is refused.
 */
import type { IncomingMessage } from "node:http";
import type { TurnstileCount } from "../control.ts";
import { handleControl } from "../http/control-routes.ts";
import { ScopedCounters } from "../http/counters.ts";
import { FaultTable } from "../http/faults.ts";
import { readBody, sendJson, serve } from "../http/server.ts";
import { TURNSTILE_TEST_KEYS } from "./test-keys.ts";
import { WIDGET_SCRIPT } from "./widget.ts";

export { TURNSTILE_TEST_KEYS };

export interface TurnstileStandIn {
  /** Origin; siteverify is `${url}/turnstile/v0/siteverify`, the widget `${url}/turnstile/v0/api.js`. */
  url: string;
  close(): Promise<void>;
}

const COUNTS: readonly TurnstileCount[] = ["siteverify", "success", "failure"];

/** Siteverify takes a form (Cloudflare's examples) or JSON. */
async function readFields(req: IncomingMessage): Promise<Record<string, string>> {
  const text = await readBody(req);
  if ((req.headers["content-type"] ?? "").includes("application/json")) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === "object") {
        return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === "string"));
      }
    } catch {
      return {};
    }
    return {};
  }
  return Object.fromEntries(new URLSearchParams(text));
}

/** Siteverify's verdict for a secret and a token, as Cloudflare's test secrets give it. */
export function verdict(secret: string | undefined, response: string | undefined): { success: boolean; errorCodes: string[] } {
  if (!secret) return { success: false, errorCodes: ["missing-input-secret"] };
  if (![TURNSTILE_TEST_KEYS.passSecret, TURNSTILE_TEST_KEYS.failSecret, TURNSTILE_TEST_KEYS.spentSecret].includes(secret as never)) {
    return { success: false, errorCodes: ["invalid-input-secret"] };
  }
  if (!response) return { success: false, errorCodes: ["missing-input-response"] };
  if (secret === TURNSTILE_TEST_KEYS.failSecret) return { success: false, errorCodes: ["invalid-input-response"] };
  if (secret === TURNSTILE_TEST_KEYS.spentSecret) return { success: false, errorCodes: ["timeout-or-duplicate"] };
  return { success: true, errorCodes: [] };
}

export async function startTurnstileStandIn(options: { port?: number } = {}): Promise<TurnstileStandIn> {
  const controls = { counters: new ScopedCounters(COUNTS), faults: new FaultTable() };

  const server = await serve(options.port ?? 0, async (req, res, url) => {
    if (await handleControl(req, res, url, controls)) return;
    if (req.method === "GET" && url.pathname === "/turnstile/v0/api.js") {
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-cache" });
      res.end(WIDGET_SCRIPT);
      return;
    }
    if (req.method !== "POST" || url.pathname !== "/turnstile/v0/siteverify") {
      sendJson(res, 404, { success: false, "error-codes": ["not-found"] });
      return;
    }
    const fields = await readFields(req);
    const scope = fields.secret ?? "";
    controls.counters.add(scope, "siteverify");
    if (await controls.faults.apply(scope, req, res, () => ({ success: false, "error-codes": ["internal-error"] }))) return;
    const { success, errorCodes } = verdict(fields.secret, fields.response);
    controls.counters.add(scope, success ? "success" : "failure");
    sendJson(
      res,
      200,
      success
        ? { success, "error-codes": [], challenge_ts: new Date().toISOString(), hostname: "localhost", action: "", cdata: "", metadata: { interactive: false } }
        : { success, "error-codes": errorCodes },
    );
  });

  return { url: server.origin, close: () => server.close() };
}
