/**
 * The Worker test projects: each gets its own database, Upstash token scope, key prefix and Gemini
 * key, so projects run in parallel without seeing each other's data or injected faults.
 */
export const workerProjects: Record<string, string[]> = {
  core: ["worker/http/**/*.test.ts", "worker/platform/**/*.test.ts", "worker/ops/**/*.test.ts", "worker/*.test.ts"],
  auth: ["worker/auth/**/*.test.ts"],
  assessments: ["worker/templates/**/*.test.ts", "worker/assessments/**/*.test.ts", "worker/trends/**/*.test.ts", "worker/export/**/*.test.ts"],
  ai: ["worker/conversations/**/*.test.ts", "worker/jobs/**/*.test.ts", "worker/ai/**/*.test.ts", "worker/support/**/*.test.ts"],
  /** Its own database: the usage report's figures are exact only over jobs nobody else made. */
  usage: ["worker/usage/**/*.test.ts"],
  /**
   * The feature suites again, with DB_DRIVER=hyperdrive: the Worker reaches its database through a
   * Hyperdrive binding (the real PostgreSQL, or PGlite behind the local wire endpoint) instead of
   * Neon's HTTP API. Suites that count or fault the Neon stand-in itself stay out.
   */
  hyperdrive: [
    "worker/**/*.hyperdrive.test.ts",
    "worker/auth/**/*.test.ts",
    "worker/assessments/routes.test.ts",
    "worker/assessments/submit.test.ts",
    "worker/conversations/**/*.test.ts",
    "worker/jobs/**/*.test.ts",
  ],
};

/** Projects whose Worker uses DB_DRIVER=hyperdrive; `*.hyperdrive.test.ts` files run only there. */
export const hyperdriveProjects: ReadonlySet<string> = new Set(["hyperdrive"]);

export const databaseOf = (project: string): string => `assay_test_${project}`;
