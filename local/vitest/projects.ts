/**
 * The Worker test projects: each gets its own database, Upstash token scope, key prefix and Gemini
 * key, so projects run in parallel without seeing each other's data or injected faults.
 */
export const workerProjects: Record<string, string[]> = {
  core: ["worker/http/**/*.test.ts", "worker/platform/**/*.test.ts", "worker/ops/**/*.test.ts", "worker/*.test.ts"],
  auth: ["worker/auth/**/*.test.ts"],
  assessments: ["worker/templates/**/*.test.ts", "worker/assessments/**/*.test.ts"],
  ai: ["worker/conversations/**/*.test.ts", "worker/jobs/**/*.test.ts", "worker/ai/**/*.test.ts"],
};

export const databaseOf = (project: string): string => `assay_test_${project}`;
