/**
 * `npm run bench:smoke` (CI): every bench part at toy size, in seconds, so the scripts keep
 * working: one instance per part, 1 s loads, three fault phases, and the docs rendered into
 * .data/bench/smoke-docs (docs/ is left alone). Exits non-zero when a script breaks or a
 * correctness check fails (exact shared limits, jobs ending exactly once); timings are not judged.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { profiles } from "./lib/profile.ts";
import { WORK_DIR } from "./lib/stack.ts";
import { runBench } from "./run.ts";

const docsDir = join(WORK_DIR, "smoke-docs");
const results = await runBench(profiles.smoke, {
  resultsFiles: [join(WORK_DIR, "smoke-results.json")],
  docsDir,
  capacityFile: join(WORK_DIR, "smoke-capacity.json"),
});

const problems = results.checks.filter((c) => c.kind !== "performance" && !c.pass).map((c) => `${c.name}: ${c.detail}`);
for (const file of ["BENCHMARKS.md", "SCALING.md", "bench-routes-throughput.svg", "bench-fleet-limits.svg", "bench-faults.svg", "scaling-cost.svg"]) {
  if (!existsSync(join(docsDir, file))) problems.push(`${file} was not rendered`);
}
if (!results.routes?.length || !results.fleet || !results.faults || !results.chat?.length) problems.push("a part produced no results");
if (problems.length > 0) {
  console.error(`\nbench smoke FAILED:\n- ${problems.join("\n- ")}`);
  process.exit(1);
}
console.log(`\nbench smoke ok (${results.durationSeconds} s)`);
