import { afterEach, describe, expect, it } from "vitest";
import { clearFaults, setFault } from "../../local/control.ts";
import { loadConfig } from "../config.ts";
import { baseEnv } from "../jobs/testing.ts";
import { scopes, testEnv } from "../testing/http.ts";
import { AiError, generate } from "./gemini.ts";
import { chatPrompt } from "./prompts.ts";

const prompt = chatPrompt([{ role: "user", content: "Give me one tip for a calmer morning." }]);

async function failure(run: () => Promise<unknown>): Promise<AiError> {
  try {
    await run();
  } catch (err) {
    if (err instanceof AiError) return err;
    throw err;
  }
  throw new Error("expected an AiError");
}

afterEach(async () => {
  await clearFaults(testEnv.STANDIN_GEMINI, scopes.gemini);
});

describe("Gemini adapter", () => {
  const config = () => loadConfig(baseEnv);

  it("answers through the SDK with the model's text and token usage", async () => {
    const answer = await generate(config(), "gemini-2.5-flash", prompt);
    expect(answer.text.length).toBeGreaterThan(0);
    expect(answer.model).toBe("gemini-2.5-flash");
    expect(answer.promptTokens).toBeGreaterThan(0);
    expect(answer.outputTokens).toBeGreaterThan(0);
  });

  it.each([
    [429, "rate_limited", true],
    [500, "unavailable", true],
    [503, "unavailable", true],
    [400, "rejected", false],
    [403, "rejected", false],
  ] as const)("classifies HTTP %i as %s (retryable: %s)", async (status, kind, retryable) => {
    await setFault(testEnv.STANDIN_GEMINI, { scope: scopes.gemini, status });
    const err = await failure(() => generate(config(), "gemini-2.5-flash", prompt));
    expect(err.failure).toBe(kind);
    expect(err.retryable).toBe(retryable);
    expect(err.userMessage).not.toMatch(/\d{3}|gemini|http/i);
  });

  it("classifies an unreachable model as unavailable", async () => {
    await setFault(testEnv.STANDIN_GEMINI, { scope: scopes.gemini, down: true });
    const err = await failure(() => generate(config(), "gemini-2.5-flash", prompt));
    expect(err.failure).toBe("unavailable");
  });

  it("gives up on a call after the timeout", async () => {
    // Longer than the test may run: a call that waited for the model would answer (or time the test out).
    await setFault(testEnv.STANDIN_GEMINI, { scope: scopes.gemini, latencyMs: 120_000 });
    const err = await failure(() => generate({ ...config(), AI_MODEL_TIMEOUT_MS: 1_000 }, "gemini-2.5-flash", prompt));
    expect(err.failure).toBe("unavailable");
  });
});
