/**
 * A coach that remembers, through the real pipeline (the request, the queue, the consumer in
 * workerd, the Gemini stand-in): what each job told the model is read back from the stand-in.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { receivedPrompts, type ReceivedPrompt } from "../../local/control.ts";
import type { Assessment } from "../assessments/schemas.ts";
import type { Conversation, MessageAccepted } from "../conversations/schemas.ts";
import { scopes, testEnv, call } from "../testing/http.ts";
import { registerUser, type RegisteredUser } from "../testing/users.ts";
import type { Job } from "./service.ts";
import { baseEnv, callWith, deliver, envWith, lostQueue, waitForJob } from "./testing.ts";
import { measured } from "../../local/testing/round-trips.ts";

const who5 = (value: number) => Object.fromEntries([1, 2, 3, 4, 5].map((i) => [`q${i}`, value]));

async function take(user: RegisteredUser, answers: Record<string, number>): Promise<Assessment> {
  const token = user.accessToken;
  const created = await call<Assessment>("POST", "/api/v1/assessments", { token, body: { templateSlug: "who-5" } });
  await call("PUT", `/api/v1/assessments/${created.body.id}/answers`, { token, body: { answers } });
  const submitted = await call<{ job: Job }>("POST", `/api/v1/assessments/${created.body.id}/submit`, { token });
  expect(submitted.status).toBe(202);
  expect((await waitForJob(token, submitted.body.job.id)).status).toBe("succeeded");
  return (await call<Assessment>("GET", `/api/v1/assessments/${created.body.id}`, { token })).body;
}

const textOf = (prompt: ReceivedPrompt) => [prompt.system, ...prompt.turns.map((t) => t.text)].join("\n");

/** The prompts this project's jobs sent, which contain every one of `markers`. */
async function promptsWith(...markers: string[]): Promise<string[]> {
  const prompts = await receivedPrompts(testEnv.STANDIN_GEMINI, scopes.gemini);
  return prompts.map(textOf).filter((text) => markers.every((m) => text.includes(m)));
}

describe("the coach remembers", () => {
  let user: RegisteredUser;
  let first: Assessment;
  let second: Assessment;
  // Scores no other test in this project uses, so the prompts can be told apart: 12 and 92.
  const firstAnswers = { ...who5(0), q1: 3 };
  const secondAnswers = { ...who5(5), q1: 3 };

  beforeAll(async () => {
    user = await registerUser();
    first = await take(user, firstAnswers);
    second = await take(user, secondAnswers);
  });

  it("sends the first analysis without any previous result", async () => {
    expect(first.scores).toEqual({ wellbeing: 12 });
    const [prompt] = await promptsWith("Well-being (0-100): 12 on a 0–100 scale");
    expect(prompt).toBeDefined();
    expect(prompt).not.toContain("previous result");
  });

  it("gives the second analysis the first result: its date and scores, nothing else", async () => {
    expect(second.scores).toEqual({ wellbeing: 92 });
    const day = first.completedAt?.slice(0, 10) ?? "";
    const prompts = await promptsWith("Well-being (0-100): 92 on a 0–100 scale", "My previous result on this questionnaire");
    expect(prompts).toHaveLength(1);
    const prompt = prompts[0] ?? "";
    expect(prompt).toContain(`My previous result on this questionnaire, on ${day}:\n- Well-being (0-100): 12`);
    expect(prompt).toContain("how my scores changed");
    // Nothing of the first assessment but its date and scores: not its answers' texts, nor its analysis.
    expect(prompt).not.toContain(first.analysis ?? "<none>");
    expect(prompt).not.toContain(first.id);
  });

  it("gives a chat about the second result the trend of both", async () => {
    const chat = await call<Conversation>("POST", "/api/v1/conversations", { token: user.accessToken, body: { assessmentId: second.id } });
    const posted = await call<MessageAccepted>("POST", `/api/v1/conversations/${chat.body.id}/messages`, {
      token: user.accessToken,
      body: { content: "How am I doing compared with last time? (memory test)" },
    });
    expect(posted.status).toBe(202);
    await waitForJob(user.accessToken, posted.body.job.id);
    const [prompt] = await promptsWith("How am I doing compared with last time? (memory test)");
    expect(prompt).toContain(
      `Their results on this questionnaire over time, oldest first:\n- ${first.completedAt?.slice(0, 10)}: Well-being (0-100) 12\n- ${second.completedAt?.slice(0, 10)}: Well-being (0-100) 92`,
    );
  });

  // Counted by the Neon stand-in, which the Hyperdrive project does not go through.
  it.skipIf(baseEnv.DB_DRIVER === "hyperdrive")("reads the previous result on the job's existing read: the second analysis costs the Neon round trips of the first", async () => {
    const undelivered = envWith({ AI_JOBS: lostQueue });
    const someone = await registerUser();
    const analysisCost = async () => {
      const token = someone.accessToken;
      const created = await call<Assessment>("POST", "/api/v1/assessments", { token, body: { templateSlug: "who-5" } });
      await call("PUT", `/api/v1/assessments/${created.body.id}/answers`, { token, body: { answers: who5(2) } });
      const submitted = await callWith<{ job: Job }>(undelivered, "POST", `/api/v1/assessments/${created.body.id}/submit`, { token });
      expect(submitted.status).toBe(202);
      const { served } = await measured(() => deliver([submitted.body.job.id]));
      expect((await waitForJob(token, submitted.body.job.id)).status).toBe("succeeded");
      return served.neon;
    };
    const first = await analysisCost();
    const second = await analysisCost();
    // claim, read (assessment + previous result), finish
    expect(first).toBe(3);
    expect(second).toBe(first);
  });
});
