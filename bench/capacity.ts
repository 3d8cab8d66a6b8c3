import type { BenchResults } from "./run.ts";
export function renderScaling(_results: BenchResults, _dir: string): void {}
