/**
 * The variables `npm run dev` hands to `wrangler dev`: stand-in URLs and development secrets.
 * They live in .data/dev.vars and reach wrangler through `--env-file`, not in `.dev.vars`:
 * wrangler loads a `.dev.vars` into everything that reads wrangler.toml, the test runner included,
 * and a development setting (a driver, an AI budget) must never change what the tests run.
 * The scripts and the e2e suite read them from here.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const DEV_VARS_FILE = fileURLToPath(new URL("../.data/dev.vars", import.meta.url));
/** Where npm run dev wrote them before; removed when it still holds what dev wrote. */
const LEGACY_FILE = fileURLToPath(new URL("../.dev.vars", import.meta.url));
const HEADER = "# Written by npm run dev: local stand-ins and development secrets. Not for production.";

export function writeDevVars(vars: Record<string, string>): void {
  mkdirSync(dirname(DEV_VARS_FILE), { recursive: true });
  writeFileSync(DEV_VARS_FILE, `${HEADER}\n${Object.entries(vars).map(([k, v]) => `${k}="${v}"`).join("\n")}\n`, { mode: 0o600 });
  if (existsSync(LEGACY_FILE) && readFileSync(LEGACY_FILE, "utf8").startsWith(HEADER)) rmSync(LEGACY_FILE);
}

/** What the last `npm run dev` wrote; empty when it has not run. */
export function readDevVars(): Record<string, string> {
  if (!existsSync(DEV_VARS_FILE)) return {};
  const vars: Record<string, string> = {};
  for (const line of readFileSync(DEV_VARS_FILE, "utf8").split("\n")) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*"?(.*?)"?\s*$/.exec(line);
    if (match?.[1] && match[2] !== undefined) vars[match[1]] = match[2];
  }
  return vars;
}
