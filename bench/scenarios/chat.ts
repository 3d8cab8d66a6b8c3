/**
 * Chat latency with a slow model, by running bench/chat-latency.ts (the AI-pipeline engineer's
 * script, unchanged) against an instance of the bench: its CLI and JSON output are the contract.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Profile } from "../lib/profile.ts";
import { ROOT, WORK_DIR, type BenchStack, type WorkerInstance } from "../lib/stack.ts";

export interface ChatLatencyResult {
  modelLatencyMs: number;
  requests: number;
  concurrency: number;
  statuses: Record<string, number>;
  throughputPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  pass: boolean;
}

export async function chatLatency(stack: BenchStack, instance: WorkerInstance, geminiScope: string, profile: Profile, modelLatencyMs: number): Promise<ChatLatencyResult> {
  mkdirSync(WORK_DIR, { recursive: true });
  const out = join(WORK_DIR, `chat-latency-${profile.name}-${modelLatencyMs}.json`);
  rmSync(out, { force: true });
  const args = [
    join(ROOT, "bench/chat-latency.ts"),
    "--requests", String(profile.chat.requests),
    "--concurrency", String(profile.chat.concurrency),
    "--latency-ms", String(modelLatencyMs),
    "--out", out,
  ];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, API_URL: instance.url, GEMINI_URL: stack.urls.gemini, GEMINI_SCOPE: geminiScope },
    });
    const timer = setTimeout(() => child.kill("SIGTERM"), 180_000);
    child.on("error", reject);
    child.on("exit", (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
  let report: ChatLatencyResult;
  try {
    report = JSON.parse(readFileSync(out, "utf8")) as ChatLatencyResult;
  } catch {
    throw new Error(`bench/chat-latency.ts exited with ${code} and wrote no report`);
  }
  console.log(
    `  chat POST with a ${report.modelLatencyMs} ms model: p50 ${report.latencyMs.p50} p95 ${report.latencyMs.p95} p99 ${report.latencyMs.p99} ms ${JSON.stringify(report.statuses)} pass=${report.pass}`,
  );
  return report;
}
