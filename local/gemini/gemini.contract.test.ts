/** Contract: @google/generative-ai 0.24 works against the Gemini stand-in through `requestOptions.baseUrl`. */
import { GoogleGenerativeAI, GoogleGenerativeAIFetchError, GoogleGenerativeAIResponseError, SchemaType } from "@google/generative-ai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { clearFaults, clearSafetyBlock, counts, receivedPrompts, resetCounts, setFault, setSafetyBlock, type GeminiCount } from "../control.ts";
import { startGeminiStandIn, type GeminiStandIn } from "./server.ts";

describe("Gemini stand-in", () => {
  let gemini: GeminiStandIn;
  const model = (apiKey = "key-contract", config: Parameters<GoogleGenerativeAI["getGenerativeModel"]>[0] = { model: "gemini-2.0-flash" }) =>
    new GoogleGenerativeAI(apiKey).getGenerativeModel(config, { baseUrl: gemini.url });

  beforeAll(async () => {
    gemini = await startGeminiStandIn({});
  });
  afterAll(() => gemini?.close());
  beforeEach(() => clearFaults(gemini.url));

  it("answers generateContent deterministically from the last user turn, with usage", async () => {
    const prompt = "I slept 6 hours, walked 4.5 km and felt calmer than last week.";
    const first = await model().generateContent(prompt);
    const second = await model().generateContent(prompt);
    const text = first.response.text();
    expect(text).toBe(second.response.text());
    expect(text).toContain("6, 4.5");
    expect(text).toContain("the largest is 6");
    const usage = first.response.usageMetadata;
    expect(usage?.promptTokenCount).toBeGreaterThan(0);
    expect(usage?.candidatesTokenCount).toBeGreaterThan(0);
    expect(usage?.totalTokenCount).toBe((usage?.promptTokenCount ?? 0) + (usage?.candidatesTokenCount ?? 0));
    expect(first.response.candidates?.[0]?.finishReason).toBe("STOP");
  });

  it("summarises the last user turn of a chat", async () => {
    const chat = model().startChat({ history: [{ role: "user", parts: [{ text: "Earlier question" }] }, { role: "model", parts: [{ text: "Earlier answer" }] }] });
    const result = await chat.sendMessage("How do I keep going?");
    expect(result.response.text()).toContain('In short: "How do I keep going?"');
  });

  it("streams the same text in several chunks over SSE", async () => {
    const prompt = "Summarise my week: 3 runs, 2 late nights, 1 good conversation.";
    const streamed = await model().generateContentStream(prompt);
    const chunks: string[] = [];
    for await (const chunk of streamed.stream) chunks.push(chunk.text());
    const aggregated = await streamed.response;
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join("")).toBe(aggregated.text());
    expect(aggregated.text()).toBe((await model().generateContent(prompt)).response.text());
    expect(aggregated.usageMetadata?.candidatesTokenCount).toBeGreaterThan(0);
  });

  it("answers JSON shaped by responseSchema", async () => {
    const structured = model("key-contract", {
      model: "gemini-2.0-flash",
      generationConfig: {
        responseMimeType: "application/json",
        responseSchema: {
          type: SchemaType.OBJECT,
          properties: {
            summary: { type: SchemaType.STRING },
            score: { type: SchemaType.INTEGER },
            mood: { type: SchemaType.STRING, format: "enum", enum: ["good", "bad"] },
            nextSteps: { type: SchemaType.ARRAY, items: { type: SchemaType.STRING } },
          },
          required: ["summary", "score", "mood", "nextSteps"],
        },
      },
    });
    const parsed = JSON.parse((await structured.generateContent("Rate 7 out of 10")).response.text()) as Record<string, unknown>;
    expect(parsed).toMatchObject({ summary: "Rate 7 out of 10", score: 7, mood: "good" });
    expect(parsed.nextSteps).toHaveLength(1);
  });

  it("surfaces an injected 429 as the SDK's fetch error", async () => {
    await setFault(gemini.url, { scope: "key-limited", status: 429 });
    const error = await model("key-limited")
      .generateContent("hello")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GoogleGenerativeAIFetchError);
    expect((error as GoogleGenerativeAIFetchError).status).toBe(429);
    expect((error as Error).message).toContain("injected fault: HTTP 429");
    // Another key is not affected.
    await expect(model("key-other").generateContent("hello")).resolves.toBeDefined();
  });

  it("delays answers by the injected latency, for its scope only", async () => {
    await setFault(gemini.url, { scope: "key-slow", latencyMs: 1_500 });
    const finished: string[] = [];
    const slow = model("key-slow")
      .generateContent("hello")
      .then((result) => (finished.push("slow"), result));
    const fast = await model("key-fast").generateContent("hello");
    finished.push("fast");
    // Order, not milliseconds: the request sent first is still held when the other has its answer.
    expect(finished).toEqual(["fast"]);
    expect((await slow).response.text()).toBe(fast.response.text());
    expect(finished).toEqual(["fast", "slow"]);
  });

  it("makes the SDK throw a network error while down", async () => {
    await setFault(gemini.url, { scope: "key-down", down: true });
    await expect(model("key-down").generateContent("hello")).rejects.toThrow(/Error fetching from/);
  });

  it("counts generate and stream requests and tokens per API key", async () => {
    await resetCounts(gemini.url, "key-counted");
    await model("key-counted").generateContent("one two three four");
    const streamed = await model("key-counted").generateContentStream("five six");
    await streamed.response;
    await model("key-counted").countTokens("seven");
    const counted = await counts<GeminiCount>(gemini.url, "key-counted");
    expect(counted).toMatchObject({ generate: 1, stream: 1, countTokens: 1 });
    expect(counted.promptTokens).toBeGreaterThan(0);
    expect(counted.candidatesTokens).toBeGreaterThan(0);
  });

  it("answers a blocked prompt as Gemini does: no candidates, promptFeedback.blockReason, and text() throws", async () => {
    await setSafetyBlock(gemini.url, "prompt", "key-blocked-prompt");
    const { response } = await model("key-blocked-prompt").generateContent("hello");
    expect(response.candidates).toBeUndefined();
    expect(response.promptFeedback?.blockReason).toBe("SAFETY");
    expect(() => response.text()).toThrow(GoogleGenerativeAIResponseError);
    expect((await counts<GeminiCount>(gemini.url, "key-blocked-prompt")).generate).toBe(1);
    await clearSafetyBlock(gemini.url, "key-blocked-prompt");
    expect((await model("key-blocked-prompt").generateContent("hello")).response.text()).toContain("hello");
  });

  it("answers a cut candidate as Gemini does: finishReason SAFETY, no text, and text() throws", async () => {
    await setSafetyBlock(gemini.url, "candidate", "key-blocked-candidate");
    const { response } = await model("key-blocked-candidate").generateContent("hello");
    expect(response.candidates?.[0]?.finishReason).toBe("SAFETY");
    expect(() => response.text()).toThrow(/Candidate was blocked due to SAFETY/);
    // Other keys are not blocked.
    expect((await model("key-not-blocked").generateContent("hello")).response.text()).toContain("hello");
    await clearSafetyBlock(gemini.url, "key-blocked-candidate");
  });

  it("shows the prompts it received per key: system instruction and turns", async () => {
    const system = model("key-prompts", { model: "gemini-2.0-flash", systemInstruction: "Be kind." });
    await system.generateContent({ contents: [{ role: "user", parts: [{ text: "First" }] }] });
    expect(await receivedPrompts(gemini.url, "key-prompts")).toEqual([
      { model: "gemini-2.0-flash", system: "Be kind.", turns: [{ role: "user", text: "First" }] },
    ]);
    expect(await receivedPrompts(gemini.url, "key-nobody")).toEqual([]);
  });

  it("refuses a request without an API key", async () => {
    const res = await fetch(`${gemini.url}/v1beta/models/gemini-2.0-flash:generateContent`, {
      method: "POST",
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }] }),
    });
    expect(res.status).toBe(403);
  });
});
