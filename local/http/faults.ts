/**
 * Fault injection per scope: latency, failing a share of requests with a status, or "down"
 * (the socket is destroyed without an answer, which clients see as a network error; refusing the
 * connection itself is not possible once the server listens).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Fault } from "../control.ts";
import { isRecord, sendJson } from "./server.ts";

const ALL_SCOPES = Symbol("all scopes");
type ScopeKey = string | typeof ALL_SCOPES;

interface ActiveFault {
  fault: Fault;
  /** Error-rate accumulator: a request fails each time it reaches 1, so rates are exact, not random. */
  debt: number;
}

export type FaultOutcome = { kind: "pass" } | { kind: "down" } | { kind: "status"; status: number };

export class FaultTable {
  readonly #faults = new Map<ScopeKey, ActiveFault>();

  set(fault: Fault): void {
    this.#faults.set(fault.scope ?? ALL_SCOPES, { fault, debt: 0 });
  }

  /** Clears one scope's fault, or every fault when `scope` is undefined. */
  clear(scope?: string): void {
    if (scope === undefined) this.#faults.clear();
    else this.#faults.delete(scope);
  }

  list(): Fault[] {
    return [...this.#faults.values()].map((active) => active.fault);
  }

  /**
   * Applies the fault for `scope` to one request: waits out the latency, then decides its fate.
   * Returns true when the request was answered (or its socket destroyed) here.
   */
  async apply(scope: string, req: IncomingMessage, res: ServerResponse, errorBody: (status: number) => unknown, model?: string): Promise<boolean> {
    const outcome = await this.decide(scope, model);
    if (outcome.kind === "pass") return false;
    if (outcome.kind === "down") {
      req.socket.destroy();
      return true;
    }
    sendJson(res, outcome.status, errorBody(outcome.status));
    return true;
  }

  /** `model`: the model a Gemini request asks for; a fault naming another model lets it pass. */
  async decide(scope: string, model?: string): Promise<FaultOutcome> {
    const scoped = this.#faults.get(scope);
    const global = this.#faults.get(ALL_SCOPES);
    if (!scoped && !global) return { kind: "pass" };
    // A scoped fault overrides the global one field by field.
    const fault: Fault = { ...global?.fault, ...scoped?.fault };
    if (fault.model !== undefined && fault.model !== model) return { kind: "pass" };
    const active = (scoped ?? global) as ActiveFault;
    if (fault.latencyMs && fault.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, fault.latencyMs).unref()); // a held request never keeps the process alive
    const rate = fault.errorRate ?? (fault.status !== undefined || fault.down ? 1 : 0);
    if (rate <= 0) return { kind: "pass" };
    active.debt += Math.min(rate, 1);
    if (active.debt < 1 - 1e-9) return { kind: "pass" };
    active.debt -= 1;
    return fault.down ? { kind: "down" } : { kind: "status", status: fault.status ?? 503 };
  }
}

/** Validates a fault posted to the control endpoint; returns an error message when it is wrong. */
export function parseFault(body: unknown): Fault | string {
  if (!isRecord(body)) return "body must be a JSON object";
  const { scope, latencyMs, errorRate, status, down, model } = body;
  if (scope !== undefined && typeof scope !== "string") return "scope must be a string";
  if (latencyMs !== undefined && (typeof latencyMs !== "number" || latencyMs < 0)) return "latencyMs must be a number >= 0";
  if (errorRate !== undefined && (typeof errorRate !== "number" || errorRate < 0 || errorRate > 1))
    return "errorRate must be a number in 0..1";
  if (status !== undefined && (typeof status !== "number" || !Number.isInteger(status) || status < 100 || status > 599))
    return "status must be an HTTP status code";
  if (down !== undefined && typeof down !== "boolean") return "down must be a boolean";
  if (model !== undefined && typeof model !== "string") return "model must be a string";
  return { scope, latencyMs, errorRate, status, down, model };
}
