import { describe, expect, it, vi } from "vitest";
import { ApiRequestError } from "../api/errors.ts";
import type { Answers } from "../api/types.ts";
import { AnswerSaver } from "./answerSaver.ts";

/** Timers run only when the test says so. */
function manualTimers() {
  let pending: { run: () => void; ms: number } | null = null;
  return {
    setTimer: (run: () => void, ms: number) => {
      pending = { run, ms };
      return pending;
    },
    clearTimer: () => {
      pending = null;
    },
    fire: () => {
      const p = pending;
      pending = null;
      p?.run();
      return p?.ms;
    },
    get pendingMs() {
      return pending?.ms ?? null;
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe("AnswerSaver", () => {
  it("batches quick changes into one save after the pause", async () => {
    const save = vi.fn(async (_answers: Answers) => undefined);
    const timers = manualTimers();
    const saver = new AnswerSaver({ save, delayMs: 600, ...timers });
    saver.set("q1", 3);
    saver.set("q2", 4);
    saver.set("q1", 5);
    expect(saver.getSnapshot().status).toEqual({ state: "unsaved" });
    expect(timers.fire()).toBe(600);
    await settle();
    expect(save.mock.calls).toEqual([[{ q1: 5, q2: 4 }]]);
    expect(saver.getSnapshot().status).toEqual({ state: "saved" });
  });

  it("flush() sends at once and reports whether everything is saved", async () => {
    const save = vi.fn(async (_answers: Answers) => undefined);
    const saver = new AnswerSaver({ save, ...manualTimers() });
    saver.set("q1", 1);
    await expect(saver.flush()).resolves.toBe(true);
    expect(save).toHaveBeenCalledTimes(1);
  });

  it("keeps answers while offline and sends them, merged with newer edits, later", async () => {
    const save = vi.fn(async (_answers: Answers) => undefined);
    save.mockRejectedValueOnce(new ApiRequestError({ status: 0, code: "network", message: "offline" }));
    const saver = new AnswerSaver({ save, ...manualTimers() });
    saver.set("q1", 1);
    await expect(saver.flush()).resolves.toBe(false);
    expect(saver.getSnapshot().status).toEqual({ state: "offline" });
    saver.set("q2", 2);
    await expect(saver.flush()).resolves.toBe(true);
    expect(save.mock.calls[1]).toEqual([{ q1: 1, q2: 2 }]);
  });

  it("waits out a 429's Retry-After before trying again", async () => {
    const save = vi.fn(async (_answers: Answers) => undefined);
    save.mockRejectedValueOnce(new ApiRequestError({ status: 429, code: "rate_limited", message: "slow down", retryAfter: 7 }));
    const timers = manualTimers();
    const saver = new AnswerSaver({ save, ...timers });
    saver.set("q1", 1);
    await saver.flush();
    expect(saver.getSnapshot().status.state).toBe("failed");
    expect(timers.pendingMs).toBe(7000);
    timers.fire();
    await settle();
    expect(save).toHaveBeenCalledTimes(2);
    expect(saver.getSnapshot().status).toEqual({ state: "saved" });
  });

  it("shows a refused answer's message beside its question and does not resend it", async () => {
    const save = vi.fn(async (_answers: Answers) => undefined);
    save.mockRejectedValueOnce(
      new ApiRequestError({ status: 400, code: "validation_failed", message: "invalid", details: [{ path: "answers.q2", message: "Must be between 0 and 5" }] }),
    );
    const saver = new AnswerSaver({ save, ...manualTimers() });
    saver.set("q2", 9);
    await saver.flush();
    expect(saver.getSnapshot().rejected).toEqual({ q2: "Must be between 0 and 5" });
    await expect(saver.flush()).resolves.toBe(true);
    expect(save).toHaveBeenCalledTimes(1);
    saver.set("q2", 4);
    expect(saver.getSnapshot().rejected).toEqual({});
  });

  it("writes one batch at a time", async () => {
    let release: () => void = () => undefined;
    const save = vi.fn((_answers: Answers) => new Promise<void>((r) => (release = r)));
    const saver = new AnswerSaver({ save, ...manualTimers() });
    saver.set("q1", 1);
    const first = saver.flush();
    saver.set("q2", 2);
    const second = saver.flush();
    await settle();
    expect(save).toHaveBeenCalledTimes(1);
    release();
    await first;
    await settle();
    release();
    await second;
    expect(save.mock.calls).toEqual([[{ q1: 1 }], [{ q2: 2 }]]);
  });
});
