import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";

/**
 * Worker tests run inside workerd against the local stand-ins. Each project below gets its own
 * database, Upstash token scope, key prefix and Gemini key, so projects run in parallel without
 * seeing each other's data or injected faults; files inside one project run one at a time.
 */
const workerProjects: Record<string, string[]> = {
  core: ["worker/http/**/*.test.ts", "worker/platform/**/*.test.ts", "worker/ops/**/*.test.ts", "worker/*.test.ts"],
  auth: ["worker/auth/**/*.test.ts"],
  assessments: ["worker/templates/**/*.test.ts", "worker/assessments/**/*.test.ts"],
  ai: ["worker/conversations/**/*.test.ts", "worker/jobs/**/*.test.ts", "worker/ai/**/*.test.ts"],
};

function workerProject(name: string, include: string[]): TestProjectInlineConfiguration {
  return {
    plugins: [
      cloudflareTest(({ inject }) => {
        const stack = inject("stack");
        const scope = `${name}_${stack.runId}`;
        return {
          wrangler: { configPath: "./wrangler.toml" },
          miniflare: {
            bindings: {
              ENVIRONMENT: "test",
              DATABASE_URL: `postgres://assay:local@db.localtest.me/assay_test_${name}`,
              NEON_FETCH_ENDPOINT: stack.neonSql,
              UPSTASH_REDIS_REST_URL: stack.upstash,
              UPSTASH_REDIS_REST_TOKEN: `${stack.upstashSecret}:${name}`,
              KEY_PREFIX: `test:${scope}:`,
              GEMINI_API_KEY: `test-${name}`,
              GEMINI_BASE_URL: stack.gemini,
              JWT_SECRET: "test-jwt-secret-0123456789abcdef",
              PASSWORD_PEPPER: "test-pepper-0123456789abcdef",
              LOG_LEVEL: "error",
              TEST_SCOPE: name,
              STANDIN_NEON: stack.neonSql.replace(/\/sql$/, ""),
              STANDIN_UPSTASH: stack.upstash,
              STANDIN_GEMINI: stack.gemini,
            },
          },
        };
      }),
    ],
    test: {
      name: `worker-${name}`,
      include,
      globalSetup: ["./local/vitest/global-setup.ts"],
      fileParallelism: false,
      testTimeout: 30_000,
      hookTimeout: 60_000,
    },
  };
}

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "local",
          include: ["local/**/*.test.ts"],
          environment: "node",
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "web",
          include: ["web/src/**/*.test.{ts,tsx}"],
          environment: "node",
        },
      },
      ...Object.entries(workerProjects).map(([name, include]) => workerProject(name, include)),
    ],
  },
});
