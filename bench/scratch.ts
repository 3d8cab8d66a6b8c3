import { buildWorker, startBenchStack, startWorker } from "./lib/stack.ts";
const build = buildWorker(); console.log(build);
import { groupCpu, cpuSince } from "./lib/cpu.ts";
import { runLoad } from "./lib/load.ts";
import { readdirSync, readFileSync } from "node:fs";
const stack = await startBenchStack();
await stack.warmDatabase("assay_bench_x");
const w = await startWorker(stack, { name: "x", database: "assay_bench_x", upstashScope: "x", geminiKey: "x", keyPrefix: "bench:x:", build });
const procs = () => readdirSync("/proc").filter((e) => /^\d+$/.test(e)).flatMap((e) => { try { const s = readFileSync(`/proc/${e}/stat`, "utf8"); const c = s.lastIndexOf(")"); const f = s.slice(c + 2).split(" "); return Number(f[2]) === w.pid ? [`${e}:${s.slice(s.indexOf("(") + 1, c)}:${Number(f[11]) + Number(f[12])}`] : []; } catch { return []; } });
console.log(procs());
for (const path of ["/api/health", "/api/v1/templates", "/api/health", "/api/v1/templates"]) {
  const before = groupCpu(w.pid);
  const r = await runLoad({ url: w.url, connections: 4, seconds: 4, next: () => ({ method: "GET", path }) });
  const cpu = cpuSince(before, w.pid);
  console.log(path, r.requests, r.rps, cpu, (cpu.workerdMs / r.requests).toFixed(3));
  console.log(procs());
}
await w.stop(); await stack.stop();
