/**
 * The one AI adapter: Gemini through @google/generative-ai (locally, the Gemini stand-in through the
 * same SDK via GEMINI_BASE_URL). One call per `generate`, with a timeout; every failure comes out
 * as an `AiError` that says whether trying again can help and what the user may be told.
 */
import {
  GoogleGenerativeAI,
  GoogleGenerativeAIAbortError,
  GoogleGenerativeAIError,
  GoogleGenerativeAIFetchError,
  GoogleGenerativeAIResponseError,
  type EnhancedGenerateContentResponse,
} from "@google/generative-ai";
import type { Config } from "../config.ts";
import type { AiPrompt } from "./prompts.ts";

export interface AiAnswer {
  text: string;
  model: string;
  promptTokens: number | null;
  outputTokens: number | null;
  /**
   * Set (to the provider's reason) when safety filters blocked the prompt or cut the answer: `text`
   * is then empty and the caller writes its fixed caring reply instead (docs/SUPPORT.md). The call
   * was made and counts; trying again would only be blocked again.
   */
  safetyBlock?: string;
}

/** Finish reasons that mean the answer was cut for safety (not RECITATION or LANGUAGE, which stay errors). */
const SAFETY_FINISH_REASONS = new Set(["SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "IMAGE_SAFETY"]);

/**
 * The reason a response was blocked for safety, read before `response.text()`: the SDK throws there
 * for a blocked prompt and for SAFETY, but silently returns partial text for PROHIBITED_CONTENT,
 * BLOCKLIST and SPII.
 */
export function safetyBlockOf(response: EnhancedGenerateContentResponse): string | undefined {
  const promptBlock = response.promptFeedback?.blockReason;
  if (promptBlock) return `prompt:${promptBlock}`;
  const finish = response.candidates?.[0]?.finishReason;
  return finish && SAFETY_FINISH_REASONS.has(finish) ? `candidate:${finish}` : undefined;
}

/**
 * - `rate_limited`, `unavailable`: the provider is busy or failing (429, 5xx, timeout, network);
 *   trying again later can help.
 * - `blocked`: the safety filters refused the prompt or the answer.
 * - `rejected`: the provider refused the request itself (bad request, bad key, unknown model).
 */
export type AiFailure = "rate_limited" | "unavailable" | "blocked" | "rejected";

const userMessages: Record<AiFailure, string> = {
  rate_limited: "The AI service is busy right now. Please try again later.",
  unavailable: "The AI service is unavailable right now. Please try again later.",
  blocked: "The AI could not answer this because its safety filters blocked it. Try rephrasing.",
  rejected: "The AI service could not process this request.",
};

export class AiError extends Error {
  readonly failure: AiFailure;
  readonly retryable: boolean;
  /** Safe to show to the user (stored on the job and the message). */
  readonly userMessage: string;

  constructor(failure: AiFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AiError";
    this.failure = failure;
    this.retryable = failure === "rate_limited" || failure === "unavailable";
    this.userMessage = userMessages[failure];
  }
}

/** The user-readable message for a failure kind (also used when retries run out). */
export function aiFailureMessage(failure: AiFailure): string {
  return userMessages[failure];
}

export function classifyAiError(err: unknown): AiError {
  if (err instanceof AiError) return err;
  if (err instanceof GoogleGenerativeAIFetchError) {
    const status = err.status ?? 0;
    if (status === 429) return new AiError("rate_limited", `model answered 429`, { cause: err });
    if (status >= 500 || status === 0) return new AiError("unavailable", `model answered ${status}`, { cause: err });
    return new AiError("rejected", `model answered ${status}`, { cause: err });
  }
  if (err instanceof GoogleGenerativeAIResponseError) return new AiError("blocked", err.message, { cause: err });
  if (err instanceof GoogleGenerativeAIAbortError) return new AiError("unavailable", "model call timed out", { cause: err });
  if (err instanceof GoogleGenerativeAIError) return new AiError("unavailable", "model unreachable", { cause: err });
  return new AiError("unavailable", err instanceof Error ? err.message : "model call failed", { cause: err });
}

const clients = new WeakMap<Config, GoogleGenerativeAI>();

function clientFor(config: Config): GoogleGenerativeAI {
  let client = clients.get(config);
  if (!client) {
    client = new GoogleGenerativeAI(config.GEMINI_API_KEY);
    clients.set(config, client);
  }
  return client;
}

/**
 * Asks `model` once. Throws `AiError` on any failure, including an empty answer.
 *
 * @example
 * const answer = await generate(config, config.GEMINI_MODEL, chatPrompt(context));
 */
export async function generate(config: Config, model: string, prompt: AiPrompt): Promise<AiAnswer> {
  const generative = clientFor(config).getGenerativeModel(
    {
      model,
      systemInstruction: prompt.system,
      generationConfig: { maxOutputTokens: prompt.maxOutputTokens, temperature: prompt.temperature },
    },
    { timeout: config.AI_MODEL_TIMEOUT_MS, ...(config.GEMINI_BASE_URL ? { baseUrl: config.GEMINI_BASE_URL } : {}) },
  );
  try {
    const result = await generative.generateContent({
      contents: prompt.turns.map((turn) => ({ role: turn.role, parts: [{ text: turn.text }] })),
    });
    const usage = result.response.usageMetadata;
    const counted = { model, promptTokens: usage?.promptTokenCount ?? null, outputTokens: usage?.candidatesTokenCount ?? null };
    const safetyBlock = safetyBlockOf(result.response);
    if (safetyBlock) return { ...counted, text: "", safetyBlock };
    const text = result.response.text().trim();
    if (!text) throw new AiError("unavailable", "model returned an empty answer");
    return { ...counted, text };
  } catch (err) {
    throw classifyAiError(err);
  }
}
