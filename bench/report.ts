import type { BenchResults } from "./run.ts";
export function renderBenchmarks(_results: BenchResults, _dir: string): void {}
