/**
 * What the stand-ins counted for one scope set: Neon HTTP requests (a batch is one), Upstash REST
 * requests (a pipeline is one) and their commands, Gemini calls and tokens.
 */
import { clearFaults, counts, resetCounts, type GeminiCount, type NeonCount, type UpstashCount } from "../../local/control.ts";
import type { BenchStack } from "./stack.ts";

export interface Scopes {
  neon: string;
  upstash: string;
  gemini: string;
}

export interface Usage {
  neonRequests: number;
  neonStatements: number;
  upstashRequests: number;
  upstashCommands: number;
  geminiCalls: number;
  geminiPromptTokens: number;
  geminiOutputTokens: number;
}

const n = (value: number | undefined) => value ?? 0;

export async function readUsage(stack: BenchStack, scopes: Scopes): Promise<Usage> {
  const [neon, upstash, gemini] = await Promise.all([
    counts<NeonCount>(stack.neonBase, scopes.neon),
    counts<UpstashCount>(stack.urls.upstash, scopes.upstash),
    counts<GeminiCount>(stack.urls.gemini, scopes.gemini),
  ]);
  return {
    neonRequests: n(neon.query) + n(neon.batch),
    neonStatements: n(neon.statements),
    upstashRequests: n(upstash.command) + n(upstash.pipeline) + n(upstash["multi-exec"]),
    upstashCommands: n(upstash.commands),
    geminiCalls: n(gemini.generate) + n(gemini.stream),
    geminiPromptTokens: n(gemini.promptTokens),
    geminiOutputTokens: n(gemini.candidatesTokens),
  };
}

export async function resetUsage(stack: BenchStack, scopes: Scopes): Promise<void> {
  await Promise.all([
    resetCounts(stack.neonBase, scopes.neon),
    resetCounts(stack.urls.upstash, scopes.upstash),
    resetCounts(stack.urls.gemini, scopes.gemini),
  ]);
}

export async function clearAllFaults(stack: BenchStack, scopes: Scopes): Promise<void> {
  await Promise.all([
    clearFaults(stack.neonBase, scopes.neon),
    clearFaults(stack.urls.upstash, scopes.upstash),
    clearFaults(stack.urls.gemini, scopes.gemini),
  ]);
}
