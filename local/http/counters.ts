/** Request counters per scope, so parallel test projects can each assert on their own traffic. */
import type { ServerResponse } from "node:http";
import type { Counts } from "../control.ts";

export class ScopedCounters<K extends string> {
  readonly kinds: readonly K[];
  readonly #byScope = new Map<string, Counts<K>>();
  readonly #inFlight = new Map<string, number>();

  constructor(kinds: readonly K[]) {
    this.kinds = kinds;
  }

  add(scope: string, kind: K, amount = 1): void {
    let counts = this.#byScope.get(scope);
    if (!counts) {
      counts = this.#zero();
      this.#byScope.set(scope, counts);
    }
    counts[kind] += amount;
  }

  /** Counts `res` as in flight for `scope` until it is answered (or its connection closes). */
  track(scope: string, res: ServerResponse): void {
    this.#inFlight.set(scope, (this.#inFlight.get(scope) ?? 0) + 1);
    res.once("close", () => this.#inFlight.set(scope, (this.#inFlight.get(scope) ?? 1) - 1));
  }

  /** Requests of one scope (or of every scope) received and not yet answered. */
  inFlight(scope?: string): number {
    if (scope !== undefined) return this.#inFlight.get(scope) ?? 0;
    let total = 0;
    for (const count of this.#inFlight.values()) total += count;
    return total;
  }

  /** One scope's counts, or the totals over every scope when `scope` is undefined. */
  snapshot(scope?: string): Counts<K> {
    if (scope !== undefined) return { ...(this.#byScope.get(scope) ?? this.#zero()) };
    const total = this.#zero();
    for (const counts of this.#byScope.values()) for (const kind of this.kinds) total[kind] += counts[kind];
    return total;
  }

  reset(scope?: string): void {
    if (scope === undefined) this.#byScope.clear();
    else this.#byScope.delete(scope);
  }

  #zero(): Counts<K> {
    return Object.fromEntries(this.kinds.map((kind) => [kind, 0])) as Counts<K>;
  }
}
