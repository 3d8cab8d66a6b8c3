/**
 * `npm run build:worker`: bundles the production Worker exactly as `wrangler deploy --dry-run
 * --env production` does, prints the upload size, and fails when the gzip size is over budget.
 */
import { spawnSync } from "node:child_process";

const BUDGET_KIB = 300;

const run = spawnSync(
  process.execPath,
  ["node_modules/wrangler/bin/wrangler.js", "deploy", "--dry-run", "--env", "production", "--outdir", "dist/worker"],
  { encoding: "utf8", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
);
const output = `${run.stdout}\n${run.stderr}`;
if (run.status !== 0) {
  console.error(output);
  process.exit(run.status ?? 1);
}
const match = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(output);
if (!match) {
  console.error(output);
  console.error("could not read the upload size from wrangler's output");
  process.exit(1);
}
const gzip = Number(match[2]);
console.log(`Worker upload: ${match[1]} KiB, gzip ${gzip} KiB (budget ${BUDGET_KIB} KiB)`);
if (gzip > BUDGET_KIB) {
  console.error(`over budget by ${(gzip - BUDGET_KIB).toFixed(2)} KiB`);
  process.exit(1);
}
