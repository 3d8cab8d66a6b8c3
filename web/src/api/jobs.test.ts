import { describe, expect, it, vi } from "vitest";
import { ApiRequestError } from "./errors.ts";
import { type JobUpdate, parseSse, readJobUpdate, watchJob } from "./jobs.ts";
import type { Job } from "./types.ts";

const job = (status: Job["status"], attempts = 1): Job => ({
  id: "j1",
  kind: "assessment_analysis",
  status,
  attempts,
  error: null,
  subjectId: "a1",
  createdAt: "2026-11-27T12:00:00Z",
  updatedAt: "2026-11-27T12:00:01Z",
});

function stream(chunks: string[], contentType = "text/event-stream"): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      controller.close();
    },
  });
  return new Response(body, { headers: { "Content-Type": contentType } });
}

const noSleep = () => Promise.resolve();

describe("parseSse", () => {
  it("splits complete events and keeps the tail", () => {
    const { events, rest } = parseSse('event: status\ndata: {"status":"queued"}\n\n: keep-alive\n\nevent: status\ndata: {"sta');
    expect(events).toEqual([{ event: "status", data: '{"status":"queued"}' }]);
    expect(rest).toBe('event: status\ndata: {"sta');
  });

  it("joins multi-line data and accepts CRLF", () => {
    expect(parseSse("data: a\r\ndata: b\r\n\r\n").events).toEqual([{ event: "message", data: "a\nb" }]);
  });
});

describe("readJobUpdate", () => {
  it("accepts a Job or a bare status and rejects anything else", () => {
    expect(readJobUpdate(JSON.stringify(job("running")))?.status).toBe("running");
    expect(readJobUpdate('{"status":"succeeded"}')).toEqual({ status: "succeeded" });
    expect(readJobUpdate('{"status":"exploded"}')).toBeNull();
    expect(readJobUpdate("not json")).toBeNull();
  });
});

describe("watchJob", () => {
  it("follows the event stream to the terminal status, across chunk boundaries", async () => {
    const updates: JobUpdate[] = [];
    const poll = vi.fn();
    const events = [job("queued"), job("running"), job("succeeded")].map((j) => `event: status\ndata: ${JSON.stringify(j)}\n\n`).join("");
    const final = await watchJob({
      open: async () => stream([events.slice(0, 30), events.slice(30, 200), events.slice(200)]),
      poll,
      onUpdate: (u) => updates.push(u),
      signal: new AbortController().signal,
    });
    expect(final.status).toBe("succeeded");
    expect(updates.map((u) => u.status)).toEqual(["queued", "running", "succeeded"]);
    expect(poll).not.toHaveBeenCalled();
  });

  it("falls back to polling when the stream is unavailable", async () => {
    const statuses: Job["status"][] = ["queued", "running", "failed"];
    const final = await watchJob({
      open: async () => new Response("nope", { status: 503 }),
      poll: async () => job(statuses.shift() ?? "failed", 3),
      onUpdate: () => undefined,
      signal: new AbortController().signal,
      sleep: noSleep,
    });
    expect(final).toMatchObject({ status: "failed", attempts: 3 });
  });

  it("opens the stream again when it ends before a terminal status, without polling", async () => {
    const poll = vi.fn();
    const streams = [job("running"), job("succeeded")].map((j) => stream([`event: status\ndata: ${JSON.stringify(j)}\n\n`]));
    const final = await watchJob({
      open: async () => streams.shift() ?? new Response("gone", { status: 503 }),
      poll,
      onUpdate: () => undefined,
      signal: new AbortController().signal,
      sleep: noSleep,
    });
    expect(final.status).toBe("succeeded");
    expect(poll).not.toHaveBeenCalled();
  });

  it("polls once the stream has ended early more times than it may reconnect", async () => {
    const open = vi.fn(async () => stream([`event: status\ndata: ${JSON.stringify(job("running"))}\n\n`]));
    const final = await watchJob({
      open,
      poll: async () => job("succeeded"),
      onUpdate: () => undefined,
      signal: new AbortController().signal,
      sleep: noSleep,
      reconnects: 2,
    });
    expect(final.status).toBe("succeeded");
    expect(open).toHaveBeenCalledTimes(3);
  });

  it("keeps polling through a network blip but stops on 404", async () => {
    let calls = 0;
    const notFound = new ApiRequestError({ status: 404, code: "not_found", message: "gone" });
    const result = watchJob({
      open: async () => {
        throw new TypeError("Failed to fetch");
      },
      poll: async () => {
        calls += 1;
        if (calls === 1) throw new ApiRequestError({ status: 0, code: "network", message: "offline" });
        throw notFound;
      },
      onUpdate: () => undefined,
      signal: new AbortController().signal,
      sleep: noSleep,
    });
    await expect(result).rejects.toBe(notFound);
    expect(calls).toBe(2);
  });
});
