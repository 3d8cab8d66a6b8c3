/**
 * Following an AI job to its end: the job's event stream (GET /jobs/:id/events, read with fetch so
 * the access token goes in a header, which EventSource cannot do). The server pushes each status
 * and ends a stream after a minute without a final one, so a stream that ends early is opened
 * again; polling GET /jobs/:id is the fallback when the stream is unavailable.
 */
import { ApiRequestError } from "./errors.ts";
import type { Job, JobStatus } from "./types.ts";

export interface SseEvent {
  event: string;
  data: string;
}

/** Parses complete events out of `buffer`; the incomplete tail comes back as `rest`. */
export function parseSse(buffer: string): { events: SseEvent[]; rest: string } {
  const normalized = buffer.replace(/\r\n?/g, "\n");
  const blocks = normalized.split("\n\n");
  const rest = blocks.pop() ?? "";
  const events: SseEvent[] = [];
  for (const block of blocks) {
    let event = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line === "" || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
    }
    if (data.length > 0) events.push({ event, data: data.join("\n") });
  }
  return { events, rest };
}

export type JobUpdate = Pick<Job, "status"> & Partial<Job>;

const statuses = new Set<string>(["queued", "running", "succeeded", "failed"]);

/** A `status` event's data: the Job, or at least `{ status }`. */
export function readJobUpdate(data: string): JobUpdate | null {
  try {
    const value: unknown = JSON.parse(data);
    if (typeof value === "object" && value !== null && "status" in value && typeof value.status === "string" && statuses.has(value.status)) {
      return value as JobUpdate;
    }
  } catch {
    // Not JSON: ignore the event.
  }
  return null;
}

export const isTerminal = (status: JobStatus): boolean => status === "succeeded" || status === "failed";

export interface WatchJobOptions {
  /** Opens the event stream. */
  open: (signal: AbortSignal) => Promise<Response>;
  /** Reads the job once. */
  poll: (signal: AbortSignal) => Promise<Job>;
  onUpdate: (update: JobUpdate) => void;
  signal: AbortSignal;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  pollIntervalMs?: number;
  /** How many times a stream that ended without a final status is opened again (default 10). */
  reconnects?: number;
}

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/** The terminal update, "ended" when the stream closed before one, "unavailable" when it did not open. */
async function followStream(options: WatchJobOptions): Promise<JobUpdate | "ended" | "unavailable"> {
  const response = await options.open(options.signal);
  if (!response.ok || !response.body || !response.headers.get("content-type")?.includes("text/event-stream")) {
    await response.body?.cancel();
    return "unavailable";
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return "ended";
      const parsed = parseSse(buffer + value);
      buffer = parsed.rest;
      for (const event of parsed.events) {
        if (event.event !== "status" && event.event !== "message") continue;
        const update = readJobUpdate(event.data);
        if (!update) continue;
        options.onUpdate(update);
        if (isTerminal(update.status)) return update;
      }
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}

/** Errors that polling again cannot fix: the job is gone, or we are signed out. */
const isFatal = (err: unknown): boolean => err instanceof ApiRequestError && [401, 403, 404].includes(err.status);

/** Resolves with the job's terminal update; rejects when aborted or when the job cannot be read. */
export async function watchJob(options: WatchJobOptions): Promise<JobUpdate> {
  const sleep = options.sleep ?? defaultSleep;
  for (let opened = 0; opened <= (options.reconnects ?? 10); opened++) {
    let outcome: Awaited<ReturnType<typeof followStream>>;
    try {
      outcome = await followStream(options);
    } catch (err) {
      if (options.signal.aborted) throw err;
      break;
    }
    if (typeof outcome === "object") return outcome;
    if (outcome === "unavailable") break;
  }
  let interval = options.pollIntervalMs ?? 1500;
  for (;;) {
    try {
      const job = await options.poll(options.signal);
      options.onUpdate(job);
      if (isTerminal(job.status)) return job;
    } catch (err) {
      if (options.signal.aborted || isFatal(err)) throw err;
    }
    await sleep(interval, options.signal);
    interval = Math.min(interval * 1.5, 5000);
  }
}
