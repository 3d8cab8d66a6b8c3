/**
 * The Gemini stand-in: the v1beta REST API that @google/generative-ai 0.24 calls
 * (`models/{model}:generateContent`, `:streamGenerateContent?alt=sse`, `:countTokens`), answered
 * by the offline model. Point the SDK at it with `requestOptions.baseUrl`. Scope = the API key.
 */
import type { ServerResponse } from "node:http";
import type { GeminiCount } from "../control.ts";
import { handleControl } from "../http/control-routes.ts";
import { ScopedCounters } from "../http/counters.ts";
import { FaultTable } from "../http/faults.ts";
import { isRecord, readJson, sendJson, serve } from "../http/server.ts";
import { countTokens, offlineReply, parseGenerateRequest, promptText, type OfflineReply } from "./offline-model.ts";
import { GeminiControls, safetyBlockBody } from "./controls.ts";

export interface GeminiStandIn {
  url: string;
  close(): Promise<void>;
}

const COUNTS: readonly GeminiCount[] = ["generate", "stream", "countTokens", "promptTokens", "candidatesTokens"];
const ROUTE = /^\/(v1beta|v1|v1alpha)\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens)$/;

/** Google's canonical status names, which the error body carries. */
const STATUS_NAMES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

export function googleError(code: number, message: string): { error: { code: number; message: string; status: string } } {
  return { error: { code, message, status: STATUS_NAMES[code] ?? "UNKNOWN" } };
}

export async function startGeminiStandIn(options: { port?: number }): Promise<GeminiStandIn> {
  const controls = { counters: new ScopedCounters(COUNTS), faults: new FaultTable() };
  const gemini = new GeminiControls();

  const server = await serve(options.port ?? 0, async (req, res, url) => {
    if ((await gemini.handle(req, res, url)) || (await handleControl(req, res, url, controls))) return;
    const match = req.method === "POST" ? ROUTE.exec(url.pathname) : null;
    if (!match) {
      sendJson(res, 404, googleError(404, `no route ${req.method ?? ""} ${url.pathname}`));
      return;
    }
    const [, , model = "", action] = match;
    const header = req.headers["x-goog-api-key"];
    const apiKey = (typeof header === "string" ? header : undefined) ?? url.searchParams.get("key");
    if (!apiKey) {
      sendJson(res, 403, googleError(403, "Method doesn't allow unregistered callers. Please use an API key."));
      return;
    }
    const body = await readJson(req);
    // countTokens wraps the request it counts: {generateContentRequest: {...}} (or sends {contents}).
    const request = parseGenerateRequest(action === "countTokens" && isRecord(body) && isRecord(body.generateContentRequest) ? body.generateContentRequest : body);
    if (typeof request === "string") {
      sendJson(res, 400, googleError(400, request));
      return;
    }
    const kind = action === "countTokens" ? "countTokens" : action === "streamGenerateContent" ? "stream" : "generate";
    controls.counters.track(apiKey, res);
    controls.counters.add(apiKey, kind);
    if (await controls.faults.apply(apiKey, req, res, (status) => googleError(status, `injected fault: HTTP ${status}`), model)) return;

    if (kind === "countTokens") {
      sendJson(res, 200, { totalTokens: countTokens(promptText(request)) });
      return;
    }
    gemini.record(apiKey, model, request);
    const block = gemini.blockFor(apiKey);
    if (block) {
      const promptTokens = countTokens(promptText(request));
      controls.counters.add(apiKey, "promptTokens", promptTokens);
      const body = safetyBlockBody(block, model, promptTokens);
      if (kind === "generate") sendJson(res, 200, body);
      else {
        res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
        res.end(`data: ${JSON.stringify(body)}\r\n\r\n`);
      }
      return;
    }
    const reply = offlineReply(model, request);
    controls.counters.add(apiKey, "promptTokens", reply.promptTokens);
    controls.counters.add(apiKey, "candidatesTokens", reply.candidatesTokens);
    if (kind === "generate") sendJson(res, 200, responseBody(model, reply, reply.text, true));
    else streamReply(res, model, reply);
  });

  return { url: server.origin, close: () => server.close() };
}

/** A GenerateContentResponse holding `text`; usage counts the output sent so far. */
function responseBody(model: string, reply: OfflineReply, text: string, last: boolean, candidatesTokens = reply.candidatesTokens): Record<string, unknown> {
  return {
    candidates: [
      {
        content: { parts: [{ text }], role: "model" },
        ...(last ? { finishReason: reply.finishReason } : {}),
        index: 0,
      },
    ],
    usageMetadata: {
      promptTokenCount: reply.promptTokens,
      candidatesTokenCount: candidatesTokens,
      totalTokenCount: reply.promptTokens + candidatesTokens,
    },
    modelVersion: model,
  };
}

/** Server-sent events, one chunk per few words, framed as Google frames them (`data: ...\r\n\r\n`). */
function streamReply(res: ServerResponse, model: string, reply: OfflineReply): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  const pieces = reply.text.match(/\S+\s*/g) ?? [reply.text];
  const chunkSize = Math.max(Math.ceil(pieces.length / 4), 1);
  let sent = "";
  for (let i = 0; i < pieces.length; i += chunkSize) {
    const text = pieces.slice(i, i + chunkSize).join("");
    sent += text;
    const last = i + chunkSize >= pieces.length;
    const tokens = last ? reply.candidatesTokens : countTokens(sent);
    res.write(`data: ${JSON.stringify(responseBody(model, reply, text, last, tokens))}\r\n\r\n`);
  }
  res.end();
}
