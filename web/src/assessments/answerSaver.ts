/**
 * The autosave queue behind the assessment screen: each change is queued and sent after a short
 * pause (PUT /assessments/:id/answers merges); writes go one at a time; a write that fails for a
 * reason that may pass (offline, 429, 5xx) keeps its answers queued for the next attempt, which
 * comes when the connection returns or the server's `Retry-After` is over.
 */
import { ApiRequestError, isApiError } from "../api/errors.ts";
import type { AnswerValue, Answers } from "../api/types.ts";

export type SaveStatus =
  | { state: "saved" }
  | { state: "unsaved" }
  | { state: "saving" }
  | { state: "offline" }
  | { state: "failed"; error: unknown };

export interface SaverSnapshot {
  status: SaveStatus;
  /** Per-question messages from a 400 `validation_failed`; those answers are not retried. */
  rejected: Record<string, string>;
}

export interface SaverDeps {
  save: (answers: Answers) => Promise<unknown>;
  delayMs?: number;
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

function isTransient(err: unknown): boolean {
  return !(err instanceof ApiRequestError) || err.code === "network" || err.status === 429 || err.status >= 500;
}

export class AnswerSaver {
  private snapshot: SaverSnapshot = { status: { state: "saved" }, rejected: {} };
  private queued: Answers = {};
  private writing: Promise<void> | null = null;
  private timer: unknown = null;
  private readonly listeners = new Set<() => void>();
  private readonly deps: Required<SaverDeps>;

  constructor(deps: SaverDeps) {
    this.deps = {
      save: deps.save,
      delayMs: deps.delayMs ?? 600,
      setTimer: deps.setTimer ?? ((run, ms) => setTimeout(run, ms)),
      clearTimer: deps.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>)),
    };
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): SaverSnapshot => this.snapshot;

  hasUnsaved(): boolean {
    return Object.keys(this.queued).length > 0 || this.writing !== null;
  }

  /** Queues one answer; it is sent after `delayMs` without further changes. */
  set(questionId: string, value: AnswerValue): void {
    this.queued = { ...this.queued, [questionId]: value };
    const { [questionId]: _cleared, ...rejected } = this.snapshot.rejected;
    this.update({ state: "unsaved" }, rejected);
    this.schedule(this.deps.delayMs);
  }

  /** Sends whatever is queued now; resolves true when nothing is left unsaved. */
  async flush(): Promise<boolean> {
    this.cancelTimer();
    await this.write();
    return Object.keys(this.queued).length === 0;
  }

  dispose(): void {
    this.cancelTimer();
    this.listeners.clear();
  }

  private async write(): Promise<void> {
    while (this.writing) await this.writing;
    const batch = this.queued;
    if (Object.keys(batch).length === 0) return;
    this.queued = {};
    this.update({ state: "saving" });
    this.writing = this.send(batch).finally(() => {
      this.writing = null;
    });
    await this.writing;
  }

  private async send(batch: Answers): Promise<void> {
    try {
      await this.deps.save(batch);
      this.update(Object.keys(this.queued).length === 0 ? { state: "saved" } : { state: "unsaved" });
    } catch (err) {
      if (isApiError(err, "validation_failed")) {
        const rejected = { ...this.snapshot.rejected };
        for (const detail of err.details) {
          const questionId = detail.path.split(".").find((segment) => segment in batch);
          if (questionId) rejected[questionId] = detail.message;
        }
        this.update({ state: "failed", error: err }, rejected);
        return;
      }
      if (isTransient(err)) {
        // Newer edits win over the failed batch.
        this.queued = { ...batch, ...this.queued };
        if (!isApiError(err, "network")) this.schedule(Math.max(1, (err instanceof ApiRequestError ? err.retryAfter : null) ?? 3) * 1000);
      }
      this.update(isApiError(err, "network") ? { state: "offline" } : { state: "failed", error: err });
    }
  }

  private schedule(ms: number): void {
    this.cancelTimer();
    this.timer = this.deps.setTimer(() => {
      this.timer = null;
      void this.write();
    }, ms);
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.deps.clearTimer(this.timer);
    this.timer = null;
  }

  private update(status: SaveStatus, rejected = this.snapshot.rejected): void {
    this.snapshot = { status, rejected };
    this.listeners.forEach((listener) => listener());
  }
}
