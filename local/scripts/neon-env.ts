/**
 * Connection settings for the command-line scripts, from the environment or what `npm run dev`
 * wrote (local/dev-vars.ts):
 * DATABASE_URL, NEON_FETCH_ENDPOINT when talking to the local Neon stand-in, and DB_DRIVER.
 * With DB_DRIVER=hyperdrive, DATABASE_URL is any Postgres, reached with Postgres.js through the
 * Worker's own Hyperdrive transport (TLS when its `sslmode` asks for it), so the scripts run the
 * statements exactly as the Worker's driver does.
 */
import { neonConfig } from "@neondatabase/serverless";
import { hyperdriveTransport } from "../../worker/platform/hyperdrive/transport.ts";
import { readDevVars } from "../dev-vars.ts";

/** Returns DATABASE_URL and points the Neon driver at NEON_FETCH_ENDPOINT or at the Postgres transport. */
export function databaseUrlFromEnv(): string {
  const vars = { ...readDevVars(), ...process.env };
  const url = vars.DATABASE_URL;
  if (!url) {
    console.error("DATABASE_URL is not set (export it, or run `npm run dev` once to write .data/dev.vars)");
    process.exit(2);
  }
  if (vars.DB_DRIVER === "hyperdrive") neonConfig.fetchFunction = hyperdriveTransport;
  else if (vars.NEON_FETCH_ENDPOINT) neonConfig.fetchEndpoint = vars.NEON_FETCH_ENDPOINT;
  return url;
}
