import { describe, expect, it } from "vitest";
import { FaultTable, parseFault } from "./faults.ts";

async function outcomes(table: FaultTable, scope: string, n: number): Promise<string[]> {
  const kinds: string[] = [];
  for (let i = 0; i < n; i++) kinds.push((await table.decide(scope)).kind);
  return kinds;
}

describe("FaultTable", () => {
  it("fails exactly the requested share of requests, deterministically", async () => {
    const table = new FaultTable();
    table.set({ scope: "s", errorRate: 0.25, status: 500 });
    expect(await outcomes(table, "s", 8)).toEqual(["pass", "pass", "pass", "status", "pass", "pass", "pass", "status"]);
  });

  it("fails every request when a status or down is set without a rate", async () => {
    const table = new FaultTable();
    table.set({ scope: "s", down: true });
    expect(await outcomes(table, "s", 3)).toEqual(["down", "down", "down"]);
    expect(await outcomes(table, "other", 1)).toEqual(["pass"]);
  });

  it("applies a fault without scope to every scope, and a scoped one overrides it field by field", async () => {
    const table = new FaultTable();
    table.set({ status: 429 });
    table.set({ scope: "s", status: 503 });
    expect(await table.decide("any")).toEqual({ kind: "status", status: 429 });
    expect(await table.decide("s")).toEqual({ kind: "status", status: 503 });
    table.clear("s");
    expect(await table.decide("s")).toEqual({ kind: "status", status: 429 });
    table.clear();
    expect(await table.decide("s")).toEqual({ kind: "pass" });
  });

  it("applies a fault naming a model to that model's requests only", async () => {
    const table = new FaultTable();
    table.set({ scope: "s", status: 503, model: "primary" });
    expect(await table.decide("s", "primary")).toEqual({ kind: "status", status: 503 });
    expect(await table.decide("s", "fallback")).toEqual({ kind: "pass" });
    expect(await table.decide("s")).toEqual({ kind: "pass" });
    expect(parseFault({ model: 3 })).toMatch(/model/);
  });

  it("rejects malformed faults", () => {
    expect(parseFault({ errorRate: 2 })).toMatch(/errorRate/);
    expect(parseFault({ status: 42 })).toMatch(/status/);
    expect(parseFault([])).toMatch(/object/);
    expect(parseFault({ scope: "s", latencyMs: 10 })).toEqual({ scope: "s", latencyMs: 10 });
  });
});
