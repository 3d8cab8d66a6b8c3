/**
 * The last prompts the Gemini stand-in received, per scope (API key), so a test can tell what a
 * job sent the model: `GET /__control/prompts?scope=<key>` answers them, newest first.
 */
import type { ReceivedPrompt } from "../control.ts";
import type { GenerateRequest } from "./offline-model.ts";

/** Enough for the prompts of one test file's jobs; older ones are forgotten. */
const KEPT_PER_SCOPE = 50;

const textOf = (content: { parts: { text?: string }[] } | undefined) => (content?.parts ?? []).map((p) => p.text ?? "").join("");

export class PromptLog {
  readonly #byScope = new Map<string, ReceivedPrompt[]>();

  add(scope: string, model: string, request: GenerateRequest): void {
    const prompts = this.#byScope.get(scope) ?? [];
    prompts.unshift({
      model,
      at: new Date().toISOString(),
      system: textOf(request.systemInstruction),
      turns: request.contents.map((content) => ({ role: content.role ?? "user", text: textOf(content) })),
    });
    prompts.length = Math.min(prompts.length, KEPT_PER_SCOPE);
    this.#byScope.set(scope, prompts);
  }

  /** One scope's prompts, newest first. */
  list(scope: string): ReceivedPrompt[] {
    return [...(this.#byScope.get(scope) ?? [])];
  }

  reset(scope?: string): void {
    if (scope === undefined) this.#byScope.clear();
    else this.#byScope.delete(scope);
  }
}
