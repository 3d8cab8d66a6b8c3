/**
 * Gemini-only controls beside the shared `/__control/` ones (client in ../control.ts):
 *
 * - `POST /__control/safety` `{ scope?, block: "prompt" | "candidate" }`: until cleared, answer that
 *   scope's generate requests the way Gemini answers a safety block — `prompt`: no candidates and
 *   `promptFeedback.blockReason: "SAFETY"`; `candidate`: a candidate with `finishReason: "SAFETY"`
 *   and no text. `DELETE /__control/safety?scope=` clears it (every scope without `scope`).
 * - `GET /__control/prompts?scope=`: the latest requests of the scope, oldest first (system
 *   instruction and turns as text), so a test can read the prompt a job sent.
 *   `DELETE /__control/prompts?scope=` forgets them.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ReceivedPrompt, SafetyBlock } from "../control.ts";
import { isRecord, readJson, sendJson } from "../http/server.ts";
import type { GenerateRequest } from "./offline-model.ts";

const KEPT_PER_SCOPE = 50;
const ALL_SCOPES = "";

export class GeminiControls {
  readonly #blocks = new Map<string, SafetyBlock>();
  readonly #prompts = new Map<string, ReceivedPrompt[]>();

  /** The block to answer `scope` with, if one is set (a scoped one wins over the global one). */
  blockFor(scope: string): SafetyBlock | undefined {
    return this.#blocks.get(scope) ?? this.#blocks.get(ALL_SCOPES);
  }

  record(scope: string, model: string, request: GenerateRequest): void {
    const text = (parts: { text?: string }[]) => parts.map((part) => part.text ?? "").join("");
    const list = this.#prompts.get(scope) ?? [];
    list.push({
      model,
      system: request.systemInstruction ? text(request.systemInstruction.parts) : "",
      turns: request.contents.map((content) => ({ role: content.role ?? "user", text: text(content.parts) })),
    });
    this.#prompts.set(scope, list.slice(-KEPT_PER_SCOPE));
  }

  /** Answers a Gemini-only control request and returns true, or returns false when it is not one. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const scope = url.searchParams.get("scope") ?? undefined;
    switch (`${req.method ?? "GET"} ${url.pathname}`) {
      case "POST /__control/safety": {
        const body = await readJson(req);
        const block = isRecord(body) ? body.block : undefined;
        if (!isRecord(body) || (block !== "prompt" && block !== "candidate") || (body.scope !== undefined && typeof body.scope !== "string")) {
          sendJson(res, 400, { error: 'body must be { scope?: string, block: "prompt" | "candidate" }' });
        } else {
          this.#blocks.set(typeof body.scope === "string" ? body.scope : ALL_SCOPES, block);
          sendJson(res, 200, { ok: true });
        }
        return true;
      }
      case "DELETE /__control/safety":
        if (scope === undefined) this.#blocks.clear();
        else this.#blocks.delete(scope);
        sendJson(res, 200, { ok: true });
        return true;
      case "GET /__control/prompts":
        sendJson(res, 200, scope === undefined ? [...this.#prompts.values()].flat() : (this.#prompts.get(scope) ?? []));
        return true;
      case "DELETE /__control/prompts":
        if (scope === undefined) this.#prompts.clear();
        else this.#prompts.delete(scope);
        sendJson(res, 200, { ok: true });
        return true;
      default:
        return false;
    }
  }
}

/** A 200 GenerateContentResponse as Gemini sends it for a safety block of the given kind. */
export function safetyBlockBody(block: SafetyBlock, model: string, promptTokens: number): Record<string, unknown> {
  const ratings = [{ category: "HARM_CATEGORY_DANGEROUS_CONTENT", probability: "HIGH", blocked: true }];
  const usageMetadata = { promptTokenCount: promptTokens, candidatesTokenCount: 0, totalTokenCount: promptTokens };
  if (block === "prompt") return { promptFeedback: { blockReason: "SAFETY", safetyRatings: ratings }, usageMetadata, modelVersion: model };
  return { candidates: [{ finishReason: "SAFETY", index: 0, safetyRatings: ratings }], usageMetadata, modelVersion: model };
}
