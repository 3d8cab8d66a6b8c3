/**
 * A deterministic offline "model": the same request always gets the same answer, built from the
 * last user turn (a short summary, the numbers it mentions, a suggested next step). Asked for
 * JSON, it answers JSON, shaped by `responseSchema` when one is given.
 */
import { createHash } from "node:crypto";
import { isRecord } from "../http/server.ts";
import { valueForSchema } from "./schema-value.ts";

export interface Content {
  role?: string;
  parts: { text?: string }[];
}

export interface GenerateRequest {
  contents: Content[];
  systemInstruction?: Content;
  generationConfig?: {
    responseMimeType?: string;
    responseSchema?: unknown;
    maxOutputTokens?: number;
  };
}

export interface OfflineReply {
  text: string;
  finishReason: "STOP" | "MAX_TOKENS";
  promptTokens: number;
  candidatesTokens: number;
}

const NEXT_STEPS = [
  "note one thing that went well today and why",
  "pick one small habit to try for a week",
  "talk it through with someone you trust",
  "come back to this in a few days and compare",
  "write down what you would tell a friend in the same place",
];

/** Roughly four characters per token, as Gemini's own estimate suggests for English. */
export function countTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function promptText(request: GenerateRequest): string {
  const contents = request.systemInstruction ? [request.systemInstruction, ...request.contents] : request.contents;
  return contents.flatMap((content) => content.parts.map((part) => part.text ?? "")).join("\n");
}

export function offlineReply(model: string, request: GenerateRequest): OfflineReply {
  const lastUser = [...request.contents].reverse().find((content) => content.role !== "model") ?? request.contents.at(-1);
  const userText = (lastUser?.parts ?? []).map((part) => part.text ?? "").join(" ");
  const facts = describe(userText, promptText(request));
  const config = request.generationConfig;
  let text =
    config?.responseMimeType === "application/json"
      ? JSON.stringify(config.responseSchema ? valueForSchema(config.responseSchema, facts) : { summary: facts.summary, numbers: facts.numbers })
      : prose(model, facts);
  let finishReason: OfflineReply["finishReason"] = "STOP";
  const limit = config?.maxOutputTokens;
  if (limit !== undefined && countTokens(text) > limit) {
    text = text.slice(0, limit * 4);
    finishReason = "MAX_TOKENS";
  }
  return { text, finishReason, promptTokens: countTokens(promptText(request)), candidatesTokens: countTokens(text) };
}

export interface Facts {
  summary: string;
  words: number;
  numbers: number[];
  nextStep: string;
}

function describe(userText: string, wholePrompt: string): Facts {
  const words = userText.split(/\s+/).filter(Boolean);
  const summary = words.length > 30 ? `${words.slice(0, 30).join(" ")}…` : words.join(" ");
  const numbers = [...new Set((userText.match(/-?\d+(?:\.\d+)?/g) ?? []).map(Number))].slice(0, 8);
  const pick = createHash("sha256").update(wholePrompt).digest().readUInt32BE(0) % NEXT_STEPS.length;
  return { summary, words: words.length, numbers, nextStep: NEXT_STEPS[pick] ?? "" };
}

function prose(model: string, facts: Facts): string {
  const numbers =
    facts.numbers.length === 0
      ? "You mention no numbers."
      : `The numbers you mention are ${facts.numbers.join(", ")}; the largest is ${Math.max(...facts.numbers)} and the smallest is ${Math.min(...facts.numbers)}.`;
  return [
    `(Offline stand-in for ${model}.)`,
    `You wrote ${facts.words} words. In short: "${facts.summary}".`,
    numbers,
    `A next step: ${facts.nextStep}.`,
  ].join(" ");
}

/** Checks the parts of a request the stand-in relies on; returns an error message when malformed. */
export function parseGenerateRequest(body: unknown): GenerateRequest | string {
  if (!isRecord(body)) return "Invalid JSON payload received.";
  const { contents, systemInstruction, generationConfig } = body;
  if (!Array.isArray(contents) || contents.length === 0) return "* GenerateContentRequest.contents: contents is not specified";
  for (const content of contents) {
    if (!isRecord(content) || !Array.isArray(content.parts)) return "* GenerateContentRequest.contents: each content needs parts";
  }
  const system =
    typeof systemInstruction === "string"
      ? { parts: [{ text: systemInstruction }] }
      : isRecord(systemInstruction) && Array.isArray(systemInstruction.parts)
        ? (systemInstruction as unknown as Content)
        : undefined;
  return {
    contents: contents as Content[],
    systemInstruction: system,
    generationConfig: isRecord(generationConfig) ? (generationConfig as GenerateRequest["generationConfig"]) : undefined,
  };
}
