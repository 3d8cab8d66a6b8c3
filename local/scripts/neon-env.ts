/**
 * Connection settings for the command-line scripts, from the environment or `.dev.vars`:
 * DATABASE_URL, and NEON_FETCH_ENDPOINT when talking to the local Neon stand-in.
 */
import { existsSync, readFileSync } from "node:fs";
import { neonConfig } from "@neondatabase/serverless";

function devVars(): Record<string, string> {
  if (!existsSync(".dev.vars")) return {};
  const vars: Record<string, string> = {};
  for (const line of readFileSync(".dev.vars", "utf8").split("\n")) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*"?(.*?)"?\s*$/.exec(line);
    if (match?.[1] && match[2] !== undefined) vars[match[1]] = match[2];
  }
  return vars;
}

/** Returns DATABASE_URL and points the Neon driver at NEON_FETCH_ENDPOINT when one is set. */
export function databaseUrlFromEnv(): string {
  const vars = { ...devVars(), ...process.env };
  const url = vars.DATABASE_URL;
  if (!url) {
    console.error("DATABASE_URL is not set (export it, or run `npm run dev` once to write .dev.vars)");
    process.exit(2);
  }
  if (vars.NEON_FETCH_ENDPOINT) neonConfig.fetchEndpoint = vars.NEON_FETCH_ENDPOINT;
  return url;
}
