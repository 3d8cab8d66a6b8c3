/**
 * `npm run test:e2e:ci`: the browser suite against a stack this script starts and stops. It runs
 * `npm run dev`'s stack (local/dev.ts: stand-ins, wrangler dev on 8787) unless one already
 * answers, serves the production build (built in e2e mode into web/dist-e2e: the Turnstile
 * stand-in's widget, proxied on the same origin) with its `_headers` as Pages would, and runs
 * e2e/run.ts against that. The stack's log goes to .data/e2e-stack.log; the last
 * line printed is the suite's `N passed, N failed`.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { requireChromium } from "./browser.ts";
import { serveDist } from "./serve-dist.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const API = "http://127.0.0.1:8787";
/** The dev stack's Turnstile stand-in (local/stack.ts DEV_PORTS). */
const TURNSTILE = "http://127.0.0.1:4448";
const WEB_PORT = Number(process.env.E2E_DIST_PORT ?? 4173);

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

function startStack(): Promise<ChildProcess> {
  mkdirSync(`${root}.data`, { recursive: true });
  const log = createWriteStream(`${root}.data/e2e-stack.log`);
  const child = spawn(process.execPath, ["local/dev.ts"], { cwd: root, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the dev stack did not start within 180 s (see .data/e2e-stack.log)")), 180_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("Assay is running")) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the dev stack exited with ${code} (see .data/e2e-stack.log)`));
    });
  });
}

function stopStack(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (child.exitCode !== null || !pid) return Promise.resolve();
  return new Promise((resolve) => {
    child.removeAllListeners("exit");
    child.on("exit", () => resolve());
    process.kill(-pid, "SIGINT");
    setTimeout(() => {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // already gone
      }
      resolve();
    }, 15_000).unref();
  });
}

requireChromium();

// The production build in e2e mode (web/.env.e2e: the Turnstile stand-in's widget and the
// always-pass test sitekey), in its own folder so a real production build in web/dist is untouched.
const DIST = `${root}web/dist-e2e/`;
const built = spawnSync(
  process.execPath,
  ["node_modules/vite/bin/vite.js", "build", "--config", "web/vite.config.ts", "--mode", "e2e", "--outDir", DIST, "--emptyOutDir"],
  { cwd: root, stdio: "ignore" },
);
if (built.status !== 0 || !existsSync(`${DIST}index.html`)) {
  console.log("✗ the e2e build of the SPA failed (vite build --mode e2e)");
  console.log("0 passed, 1 failed");
  process.exit(1);
}

let stack: ChildProcess | null = null;
let code = 1;
try {
  if (!(await answers(`${API}/api/health`))) stack = await startStack();
  const server = await serveDist({ port: WEB_PORT, api: API, turnstile: TURNSTILE, dist: DIST });
  const suite = spawn(process.execPath, ["e2e/run.ts"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, E2E_BASE_URL: `http://127.0.0.1:${WEB_PORT}` },
  });
  code = await new Promise<number>((resolve) => suite.on("exit", (c) => resolve(c ?? 1)));
  server.close();
} catch (err) {
  console.log(`✗ ${err instanceof Error ? err.message : String(err)}`);
  console.log("0 passed, 1 failed");
} finally {
  if (stack) await stopStack(stack);
}
process.exit(code);
