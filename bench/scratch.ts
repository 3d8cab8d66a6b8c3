import { runBench } from "./run.ts";
import { profiles } from "./lib/profile.ts";
const parts = (process.argv[2] ?? "routes").split(",") as ("routes" | "fleet" | "faults")[];
const r = await runBench(profiles.smoke, { parts, resultsFiles: [".data/bench/scratch.json"] });
console.log(JSON.stringify(r.checks));
